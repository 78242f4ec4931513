"""The inbox page, written straight from its items, is byte for byte what the documented answer model
(InboxPageOut with InboxItem) writes for the same page."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from konnect_kit.answers import answer_bytes
from notifications.api.inbox import InboxPageOut, item_out, page_content
from notifications.service_layer.inbox import InboxItemView, InboxPage

free_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
views = st.builds(
    InboxItemView, item_id=st.uuids(), seq=st.integers(1, 2**62), kind=st.sampled_from(
        ["photo_posted", "message_sent", "request_decided", "newsletter_published"]),
    text=free_text, link=free_text, count=st.integers(1, 10_000), child_ids=st.lists(st.uuids(), max_size=3).map(tuple),
    created_at=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
    read=st.booleans())
pages = st.builds(InboxPage, items=st.lists(views, max_size=5), next_cursor=st.none() | st.integers(1, 2**62).map(str),
                  unread=st.integers(0, 10_000))


@settings(max_examples=150, deadline=None)
@given(pages)
def test_the_page_is_written_as_the_answer_model_writes_it(page: InboxPage) -> None:
    modelled = InboxPageOut(items=[item_out(v) for v in page.items], next_cursor=page.next_cursor, unread=page.unread)
    assert answer_bytes(page_content(page)) == modelled.model_dump_json().encode()
