"""Child pages for parents and staff: the child, its groups and mentor, and the consents parents set."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep

from identity.api.children_models import ChildPage, ConsentIn, ConsentOut
from identity.api.directory_models import CONSENT_KEY_PATTERN
from identity.service_layer import children as use

router = APIRouter(prefix="/children", tags=["children"])

AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]


@router.get("/{child_id}", response_model=ChildPage)
async def get_child(child_id: UUID, who: CallerDep, session: SessionDep,
                    accept_language: AcceptLanguage = None) -> dict[str, Any]:
    page = await use.child_page(session, who, child_id, accept_language)
    return {**page, "consents": [ConsentOut(**c).model_dump(mode="json") for c in page["consents"]]}


@router.get("/{child_id}/consents", response_model=list[ConsentOut])
async def list_consents(child_id: UUID, who: CallerDep, session: SessionDep,
                        accept_language: AcceptLanguage = None) -> list[ConsentOut]:
    return [ConsentOut(**c) for c in await use.child_consents(session, who, child_id, accept_language)]


@router.put("/{child_id}/consents/{kind}", response_model=ConsentOut)
async def set_consent(child_id: UUID, kind: Annotated[str, Path(pattern=CONSENT_KEY_PATTERN)],
                      body: Annotated[ConsentIn, Body()], who: CallerDep, session: SessionDep, kit: KitDep,
                      accept_language: AcceptLanguage = None) -> ConsentOut:
    return ConsentOut(**await use.set_consent(session, kit.outbox, who, child_id, kind, body.granted,
                                              accept_language))
