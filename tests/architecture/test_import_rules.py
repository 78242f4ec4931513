"""The layering rule is a build failure, not a convention: import-linter's contracts (root pyproject.toml).

Passing on the code as it is, and failing when a route imports SQLAlchemy or a table module, when a domain
module imports FastAPI, SQLAlchemy or aiokafka, when a service layer raises the HTTP-coded ApiError, or when a
service layer imports SQLAlchemy or asyncpg (its SQL belongs in db/), or when a db/ module calls up into a
use case, or when the web portal reaches past the gateway (a service, the kit, a database or Kafka).
Each breaking case runs the real contracts over a copy of the sources with one offending module added.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = [sys.executable, "-c",
        "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"]
PACKAGES = {
    "identity": "services/identity/src/identity", "planning": "services/planning/src/planning",
    "credits": "services/credits/src/credits", "notifications": "services/notifications/src/notifications",
    "timeline": "services/timeline/src/timeline", "messaging": "services/messaging/src/messaging",
    "gateway": "services/gateway/src/gateway", "konnect_kit": "shared/kit/src/konnect_kit",
    "konnect_contracts": "shared/contracts/src/konnect_contracts", "konnect_web": "clients/web/src/konnect_web",
}


def _lint(source_root: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if source_root is not None:  # the copy shadows the installed (editable) packages
        env["PYTHONPATH"] = f"{source_root}{os.pathsep}{env.get('PYTHONPATH', '')}"
    return subprocess.run([*LINT, "--config", str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_code_keeps_every_layering_contract() -> None:
    result = _lint()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "source", "broken"), [
    ("identity/api/sneaky.py", "from sqlalchemy import select\n", "Routes (api/)"),
    ("planning/api/sneaky.py", "from planning.db.requests import requests\n", "Routes (api/)"),
    ("credits/domain/sneaky.py", "import fastapi\n", "Domain modules"),
    ("planning/domain/sneaky.py", "from sqlalchemy import text\n", "Domain modules"),
    ("notifications/domain/sneaky.py", "import aiokafka\n", "Domain modules"),
    ("identity/service_layer/sneaky.py", "from konnect_kit.errors import ApiError\n", "The service layer raises"),
    ("credits/service_layer/sneaky.py", "from sqlalchemy import select\n", "The service layer runs use cases"),
    ("planning/service_layer/sneaky.py", "import asyncpg\n", "The service layer runs use cases"),
    ("notifications/db/sneaky.py", "from notifications.service_layer import devices\n", "db/ modules"),
    ("konnect_web/pages/sneaky.py", "from planning.domain import requests\n", "The web portal"),
    ("konnect_web/sneaky.py", "import sqlalchemy\n", "The web portal"),
])
def test_a_module_breaking_the_rule_fails_the_build(tmp_path: Path, module: str, source: str, broken: str) -> None:
    for name, path in PACKAGES.items():
        shutil.copytree(ROOT / path, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / module).write_text(f'"""Breaks the layering rule on purpose."""\n{source}')
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout and broken in result.stdout.split("Broken contracts")[-1], result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout
