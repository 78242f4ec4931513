"""JSON documents on a Reader's connections read exactly as the standard library (SQLAlchemy's decoder) reads
them, whatever the document holds."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from konnect_kit.read_pool import json_value

documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(),  # lone surrogates included: written escaped, as PostgreSQL keeps them
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(documents, st.booleans())
def test_a_document_reads_as_the_standard_library_reads_it(document: Any, ascii_only: bool) -> None:
    raw = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert json_value(raw) == json.loads(raw)
