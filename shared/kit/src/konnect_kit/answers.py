"""Answers written straight to JSON (orjson) from rows that already hold their values, for the largest hot reads.

Why: validating a page of rows into its response model only to write the model out again was a third of opening a
conversation of 200 messages and a fifth of a four-week agenda (py-spy under bench/read_paths,
PROFILE-read-paths.md round 8); orjson writes the same bytes in a third of pydantic's time. The route keeps its
`response_model` (the OpenAPI document is unchanged) and returns `json_answer(...)`; what it writes must be what
the model would write, key for key in the model's field order: each use has a test that compares both byte for
byte. Values are written as pydantic writes them in JSON mode: UUIDs (asyncpg's own UUID type too) as text,
dates and clock times in ISO form, UTC times with "Z". Anything else (a Decimal, a set) fails (TypeError)
instead of being written some other way.
"""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import orjson
from starlette.responses import Response


def _id_text(value: Any) -> str:
    # orjson writes uuid.UUID itself, but not asyncpg's subclass of it (ids as the driver decodes them).
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form in an answer")


def answer_bytes(content: Any) -> bytes:
    """`content` (dicts, lists, text, numbers, booleans, None, UUIDs, dates, times, UTC datetimes) as JSON."""
    return orjson.dumps(content, default=_id_text, option=orjson.OPT_UTC_Z)


def written_list(items: Iterable[str]) -> orjson.Fragment:
    """JSON values already written (e.g. stored as they were answered) as one JSON array, spliced into an answer
    as it is: `answer_bytes` neither parses nor checks it."""
    return orjson.Fragment("[" + ",".join(items) + "]")


class JSONAnswer(Response):
    """A route's JSON answer, written by `answer_bytes`: FastAPI sends it as any Response; the lean path sends its
    status and bytes itself (konnect_kit.lean_reads), without the Response's ASGI call and a `send` wrapped for it
    (~10 us of a read, py-spy, bench/PROFILE-read-paths.md round 19)."""

    media_type = "application/json"


def json_answer(content: Any, status_code: int = 200) -> JSONAnswer:
    """The route's answer, written by `answer_bytes` (sent as it is on the lean path and by FastAPI)."""
    return JSONAnswer(answer_bytes(content), status_code=status_code)
