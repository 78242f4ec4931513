"""A client generated from the public OpenAPI (openapi-typescript, an independent tool) sees the uniform error type.

Every operation's refusals (each 4xx it lists, and the 4XX/5XX catch-alls) must reach a generated client as
`ErrorBody` — never FastAPI's `{"detail": ...}` or an untyped body — so an app can show `error.message`
for any refusal without special cases.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
GENERATOR = ROOT / ".local" / "npm" / "node_modules" / ".bin" / "openapi-typescript"
ERROR_TYPE = 'components["schemas"]["ErrorBody"]'


def generated_operations(tmp_path: Path) -> dict[str, str]:
    """Operation id → the TypeScript text of its responses, from the generated client types."""
    assert GENERATOR.exists(), "openapi-typescript is missing: run `make install`"
    merged = tmp_path / "openapi.json"
    merged.write_text(subprocess.run([sys.executable, "-m", "gateway.openapi"], capture_output=True, text=True,
                                     check=True, cwd=ROOT).stdout)
    types = tmp_path / "api.d.ts"
    subprocess.run([str(GENERATOR), str(merged), "-o", str(types)], capture_output=True, check=True)
    text = types.read_text()
    operations = text[text.index("export interface operations {"):]
    # Each operation is a block at four spaces of indentation: `    name: {` … `    };`.
    return dict(re.findall(r"^    (\w+): \{\n(.*?)^    \};$", operations, re.M | re.S))


def test_every_operation_of_the_generated_client_types_its_refusals_as_the_uniform_error(tmp_path: Path) -> None:
    operations = generated_operations(tmp_path)
    assert len(operations) >= 60  # every public operation, not a parsing accident
    wrong = []
    for name, body in operations.items():
        responses = body[body.index("responses: {"):]
        statuses = dict(re.findall(r'^            (\d{3}|"[45]XX"): \{\n(.*?)^            \};$', responses,
                                   re.M | re.S))
        refusals = {status: text for status, text in statuses.items()
                    if status.strip('"')[0] in "45"}
        if '"4XX"' not in refusals:
            wrong.append((name, "no catch-all 4XX"))
        for status, text in refusals.items():
            if ERROR_TYPE not in text:
                wrong.append((name, status))
    assert wrong == [], wrong
