"""Tenant scope rules: who manages which organisation, and what another tenant's caller hears."""

import uuid

import pytest
from konnect_kit.domain_errors import DomainError
from konnect_kit.errors import DOMAIN_STATUS
from konnect_kit.internal import Caller
from konnect_kit.tenancy import managing_scope, may_manage, require_managed
from sqlalchemy import Column, MetaData, Table, Uuid, select

ORG, OTHER = uuid.uuid4(), uuid.uuid4()
records = Table("records", MetaData(), Column("organisation_id", Uuid))


def test_admins_and_erps_manage_their_own_organisation_only_and_the_operator_every_one() -> None:
    assert may_manage("platform_operator", None, ORG)
    assert may_manage("org_admin", str(ORG), ORG) and may_manage("erp", str(ORG), str(ORG))
    assert not may_manage("org_admin", str(OTHER), ORG) and not may_manage("erp", None, ORG)
    assert not may_manage("staff", str(ORG), ORG) and not may_manage("parent", str(ORG), ORG)


def test_another_tenant_hears_404_and_a_role_that_manages_nothing_403() -> None:
    for role in ("org_admin", "erp"):
        with pytest.raises(DomainError) as refused:
            require_managed(Caller(role, "x", str(OTHER)), ORG)
        assert DOMAIN_STATUS[refused.value.kind] == 404 and refused.value.code == "not_found"
        assert require_managed(Caller(role, "x", str(ORG)), ORG).organisation_id == ORG
    for role in ("staff", "parent"):
        with pytest.raises(DomainError) as refused:
            require_managed(Caller(role, "x", str(ORG)), ORG, refusal="Admins only.")
        assert (DOMAIN_STATUS[refused.value.kind], refused.value.message) == (403, "Admins only.")
    assert require_managed(Caller("platform_operator", "op", None), OTHER).organisation_id is None


def test_the_scope_is_a_where_clause_so_queries_never_see_another_tenant() -> None:
    admin = managing_scope(Caller("org_admin", "x", str(ORG)))
    sql = str(select(records).where(admin.clause(records.c.organisation_id)).compile(
        compile_kwargs={"literal_binds": True}))
    assert ORG.hex in sql.replace("-", "")
    operator = managing_scope(Caller("platform_operator", "op", None))
    assert "organisation_id =" not in str(select(records).where(operator.clause(records.c.organisation_id)))


def test_every_caller_but_the_operator_is_bound_to_one_organisation_or_to_none_at_all() -> None:
    from konnect_kit.tenancy import NO_ORGANISATION, bound_organisation

    assert bound_organisation(Caller("parent", "p", str(ORG))) == ORG
    assert bound_organisation(Caller("staff", "s", None)) == NO_ORGANISATION
    assert bound_organisation(Caller("erp", "e", "not-a-uuid")) == NO_ORGANISATION
    assert bound_organisation(Caller("platform_operator", "op", None)) is None
