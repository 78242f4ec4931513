"""The gettext catalogues: `python -m konnect_web.catalogue update` extracts every text (templates and Python)
into messages.pot and merges it into each language's .po; `check` fails when a text has no translation."""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from konnect_web.i18n import LOCALES

PACKAGE = Path(__file__).parent
TRANSLATED = ("nl",)  # English is the message ids themselves
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "", "trimmed": "true"}}
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    catalog = Catalog(project="konnect-web", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            PACKAGE, METHODS, OPTIONS, keywords=KEYWORDS, strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _po(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def update() -> None:
    template = extract()
    with (LOCALES / "messages.pot").open("wb") as f:
        write_po(f, template, omit_header=True, sort_output=True)
    for language in TRANSLATED:
        path = _po(language)
        catalog = Catalog(locale=language)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as f:
            write_po(f, catalog, omit_header=True, sort_output=True, ignore_obsolete=True, include_lineno=False)


def problems() -> list[str]:
    """Texts in the code without a translation, fuzzy or obsolete entries: empty when the catalogues are complete."""
    wanted = {m.id for m in extract() if m.id}
    found = []
    for language in TRANSLATED:
        with _po(language).open("rb") as f:
            catalog = read_po(f, locale=language)
        have = {m.id: m for m in catalog if m.id}
        for message_id in sorted(wanted, key=str):
            entry = have.get(message_id)
            if entry is None:
                found.append(f"{language}: missing {message_id!r} (run python -m konnect_web.catalogue update)")
            elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
                found.append(f"{language}: untranslated {message_id!r}")
            elif entry.fuzzy:
                found.append(f"{language}: fuzzy {message_id!r}")
        found += [f"{language}: unused {m!r}" for m in sorted(set(have) - wanted, key=str)]
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
    issues = problems()
    print("\n".join(issues) or "catalogues complete")
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
