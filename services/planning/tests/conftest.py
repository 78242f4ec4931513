"""Fixtures for planning tests: a migrated database and a topic prefix of its own (konnect_devstack's ServiceEnv)."""

from konnect_devstack.pytest_plugin import ServiceEnv
from planning.main import MIGRATIONS
from planning.settings import Settings


class PlanningEnv(ServiceEnv):
    service = "planning"
    migrations = MIGRATIONS
    settings_type = Settings


planning_env, shared_env = PlanningEnv.fixtures("planning_env")
