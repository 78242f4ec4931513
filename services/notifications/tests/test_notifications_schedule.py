"""Digest times, quiet hours and channel defaults: pure rules, checked across both DST changes."""

from datetime import UTC, datetime, time

from notifications.domain.channels import DEFAULTS, effective
from notifications.domain.push_texts import render_counted
from notifications.domain.schedule import next_digest_at, quiet_until

AMS = "Europe/Amsterdam"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_digest_keeps_its_local_time_across_the_autumn_change() -> None:
    # Saturday 24 Oct 2026 18:00 CEST is 16:00 UTC; Sunday 25 Oct (CET) 18:00 is 17:00 UTC.
    saturday = next_digest_at(utc(2026, 10, 24, 10, 0), time(18, 0), AMS)
    assert saturday == utc(2026, 10, 24, 16, 0)
    assert next_digest_at(saturday, time(18, 0), AMS) == utc(2026, 10, 25, 17, 0)


def test_the_digest_keeps_its_local_time_across_the_spring_change_and_a_skipped_hour_moves_later() -> None:
    assert next_digest_at(utc(2027, 3, 27, 17, 0), time(18, 0), AMS) == utc(2027, 3, 28, 16, 0)
    # 02:30 does not exist on 28 March 2027 in Amsterdam: that day it comes at 03:30 CEST (01:30 UTC).
    assert next_digest_at(utc(2027, 3, 27, 12, 0), time(2, 30), AMS) == utc(2027, 3, 28, 1, 30)
    # Every digest time comes once a day, never twice: 02:30 on the autumn day is its first occurrence.
    assert next_digest_at(utc(2026, 10, 24, 23, 0), time(2, 30), AMS) == utc(2026, 10, 25, 0, 30)


def test_quiet_hours_end_at_local_morning_even_when_the_night_is_shorter() -> None:
    start, end = time(21, 0), time(7, 0)
    # Saturday 27 March 2027 22:00 CET: quiet until Sunday 07:00 CEST = 05:00 UTC (a 23-hour day).
    assert quiet_until(utc(2027, 3, 27, 21, 0), start, end, AMS) == utc(2027, 3, 28, 5, 0)
    # Autumn: Saturday 24 Oct 2026 23:00 CEST -> Sunday 07:00 CET = 06:00 UTC.
    assert quiet_until(utc(2026, 10, 24, 21, 0), start, end, AMS) == utc(2026, 10, 25, 6, 0)
    # After midnight, still the same night; at 07:00 and in the day, not quiet; 20:59 not yet.
    assert quiet_until(utc(2026, 12, 9, 3, 0), start, end, AMS) == utc(2026, 12, 9, 6, 0)
    assert quiet_until(utc(2026, 12, 9, 6, 0), start, end, AMS) is None
    assert quiet_until(utc(2026, 12, 9, 19, 59), start, end, AMS) is None
    assert quiet_until(utc(2026, 12, 9, 20, 0), start, end, AMS) == utc(2026, 12, 10, 6, 0)
    # A daytime window (13:00-15:00, nap time) and no window at all.
    assert quiet_until(utc(2026, 12, 9, 12, 30), time(13, 0), time(15, 0), AMS) == utc(2026, 12, 9, 14, 0)
    assert quiet_until(utc(2026, 12, 9, 12, 30), None, None, AMS) is None
    # In the parent's own zone: 21:30 UTC is 21:30 in London (not yet quiet) but 22:30 in Amsterdam.
    assert quiet_until(utc(2026, 12, 9, 21, 30), time(22, 0), end, "Europe/London") is None
    assert quiet_until(utc(2026, 12, 9, 21, 30), time(22, 0), end, AMS) == utc(2026, 12, 10, 6, 0)


def test_defaults_avoid_flooding_and_old_rows_keep_meaning() -> None:
    assert DEFAULTS["photo_posted"].email == "digest" and DEFAULTS["message_sent"].email == "immediate"
    assert DEFAULTS["newsletter_published"].push is False
    assert effective("photo_posted", None, None, None, None) == DEFAULTS["photo_posted"]
    # A row from before the digest existed ("email on"): the kind's default mode; "email off" is off.
    assert effective("photo_posted", True, None, True, None).email == "digest"
    assert effective("request_decided", False, "digest", True, None).email == "off"
    assert effective("news_published", True, "immediate", False, False).in_app is False


def test_lock_screen_texts_count_and_never_name_anyone() -> None:
    assert render_counted("photo_posted", 10, "nl").title == "10 nieuwe foto's"
    assert render_counted("photo_posted", 10, "en").title == "10 new photos"
    assert render_counted("message_sent", 1, "en").title == "New message"
    assert render_counted("summary", 3, "nl").title == "3 meldingen terwijl het stil was"
    assert render_counted("request_decided", 1, "en").title == "Your request has been decided"
    for kind in DEFAULTS:
        for count in (1, 4):
            for language in ("nl", "en"):
                push = render_counted(kind, count, language)
                assert "Sem" not in push.title + push.body and "{" not in push.title + push.body
