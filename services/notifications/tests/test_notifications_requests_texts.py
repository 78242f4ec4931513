"""Unit tests of the request and absence mail texts: outcomes per child, dates, languages, fallbacks, escaping."""

from datetime import date

from notifications.domain.mail_texts import (
    ChildLine,
    format_period,
    render_absence_reported,
    render_request_decided,
    render_request_expired,
)

WED = date(2026, 3, 11)
FRI = date(2026, 3, 13)


def siblings() -> list[ChildLine]:
    return [ChildLine("Noor", WED, WED, outcome="accepted"),
            ChildLine("Sem", WED, FRI, outcome="rejected", reason="Groep vol")]


def test_decided_in_dutch_lists_every_child_with_dates_and_outcome() -> None:
    mail = render_request_decided(display_name="Anne", language="nl", request_kind="extra_day", lines=siblings())
    assert mail.kind == "request_decided" and mail.language == "nl"
    assert mail.subject == "Extra dag voor Noor en Sem deels geaccepteerd"  # different days: no date named
    assert mail.text.startswith("Hallo Anne,\n\nJe aanvraag voor een extra dag is beoordeeld.")
    assert "- Noor, woensdag 11 maart 2026: geaccepteerd\n" in mail.text
    assert "- Sem, woensdag 11 maart 2026 t/m vrijdag 13 maart 2026: afgewezen (reden: Groep vol)\n" in mail.text
    assert "<li>Noor, woensdag 11 maart 2026: geaccepteerd</li>" in mail.html
    assert '<html lang="nl">' in mail.html


def test_decided_in_english_when_chosen() -> None:
    mail = render_request_decided(display_name="Emma", language="en", request_kind="swap", lines=siblings())
    assert mail.subject == "Swap day for Noor and Sem partly accepted"
    assert mail.text.startswith("Hello Emma,\n\nYour swap-day request has been decided.")
    assert "- Noor, Wednesday 11 March 2026: accepted" in mail.text
    assert "- Sem, Wednesday 11 March 2026 to Friday 13 March 2026: rejected (reason: Groep vol)" in mail.text
    assert render_request_decided(display_name="E", language="fr", request_kind=None, lines=siblings()).language == "nl"


def test_subject_says_what_happened_to_whom_and_when() -> None:
    one = [ChildLine("Sem", date(2026, 12, 9), date(2026, 12, 9), outcome="accepted")]
    assert render_request_decided(display_name="Anne", language="nl", request_kind="extra_day",
                                  lines=one).subject == "Extra dag voor Sem op woensdag 9 december geaccepteerd"
    refused = [ChildLine("Sem", date(2026, 12, 9), date(2026, 12, 9), outcome="rejected", reason="vol")]
    assert render_request_decided(display_name="Emma", language="en", request_kind=None,
                                  lines=refused).subject == "Request for Sem on Wednesday 9 December rejected"


def test_swap_names_the_day_given_up() -> None:
    line = ChildLine("Noor", FRI, FRI, give_up_date=WED, outcome="accepted")
    mail = render_request_decided(display_name="Anne", language="nl", request_kind="swap", lines=[line])
    assert "- Noor, vrijdag 13 maart 2026 (in plaats van woensdag 11 maart 2026): geaccepteerd" in mail.text


def test_missing_read_model_data_falls_back_to_neutral_wording() -> None:
    # Neither the child's name nor the request's lines are known: the mail still goes out, without them.
    lines = [ChildLine(None, outcome="accepted"), ChildLine(None, outcome="rejected", reason=None)]
    nl = render_request_decided(display_name="Anne", language="nl", request_kind=None, lines=lines)
    assert nl.text.startswith("Hallo Anne,\n\nJe aanvraag is beoordeeld.")
    assert "- Je kind: geaccepteerd\n- Je kind: afgewezen\n" in nl.text
    en = render_request_expired(display_name="Emma", language="en", request_kind=None, lines=[ChildLine(None)])
    assert "- Your child\n" in en.text


def test_expired_mail() -> None:
    mail = render_request_expired(display_name="Anne", language="nl", request_kind="extra_day",
                                  lines=[ChildLine("Noor", WED, WED), ChildLine("Sem", WED, WED)])
    assert mail.kind == "request_expired"
    assert mail.subject == "Extra dag voor Noor en Sem op woensdag 11 maart vervallen"
    assert "niet op tijd beoordeeld en is daarom ingetrokken voor:" in mail.text
    assert "- Noor, woensdag 11 maart 2026\n- Sem, woensdag 11 maart 2026\n" in mail.text
    en = render_request_expired(display_name="Emma", language="en", request_kind="extra_day",
                                lines=[ChildLine("Noor", WED, WED)])
    assert en.subject == "Extra day for Noor on Wednesday 11 March expired" and "was not evaluated in time" in en.text


def test_absence_confirmation() -> None:
    mail = render_absence_reported(display_name="Anne", language="nl", line=ChildLine("Noor", WED, FRI),
                                   reason="sick", note="Koorts")
    assert mail.kind == "absence_reported" and mail.subject == "Afwezigheid van Noor geregistreerd"
    assert "- Noor, woensdag 11 maart 2026 t/m vrijdag 13 maart 2026: ziek (opmerking: Koorts)" in mail.text
    en = render_absence_reported(display_name="Emma", language="en", line=ChildLine(None, WED, WED),
                                 reason="vacation", note=None)
    assert en.subject == "Absence of your child on Wednesday 11 March registered"
    assert "- Your child, Wednesday 11 March 2026: vacation\n" in en.text


def test_names_reasons_and_notes_are_escaped_in_html() -> None:
    evil = "<script>alert('x')</script> & co"
    decided = render_request_decided(display_name=evil, language="nl", request_kind="extra_day",
                                     lines=[ChildLine(evil, WED, WED, outcome="rejected", reason=evil)])
    absence = render_absence_reported(display_name="Anne", language="en", line=ChildLine(evil, WED, WED),
                                      reason="other", note=evil)
    for mail in (decided, absence):
        assert "<script>" not in mail.html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in mail.html
        assert evil in mail.text  # the plain-text part shows it literally


def test_format_period() -> None:
    assert format_period(WED, None, "nl") == "woensdag 11 maart 2026"
    assert format_period(WED, WED, "en") == "Wednesday 11 March 2026"
    assert format_period(WED, FRI, "nl") == "woensdag 11 maart 2026 t/m vrijdag 13 maart 2026"
