"""Rich text of news, newsletters and info pages: sanitised HTML (nh3/ammonia), so no script ever reaches a parent."""

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
                "a", "hr", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def sanitise(body: str) -> str:
    """Only formatting tags survive; links only to http(s) and mailto, opened without the referrer."""
    return nh3.clean(body, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow").strip()


def plain_text(body_html: str) -> str:
    """The text of sanitised HTML, for a summary line in a list."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", body_html))).strip()


def summary(body_html: str, length: int = 200) -> str:
    text = plain_text(body_html)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
