"""Making untrusted text inert in the report formats that render it.

Resource names, paths, route names, package names and messages built from them are the scanned repository's
words. In a pull-request comment (Markdown) they must not become links, images, autolinks or ``@mentions``
(an attacker-chosen image is a tracking pixel; a mention pings people); in SARIF they must not carry control
characters that viewers would interpret.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

ZWSP = "\u200b"  # breaks a mention or an autolink where it is inserted, invisible when rendered
_KEEP = frozenset("\n\t")
_MENTION = re.compile(r"@(?=[\w-])")  # @user, @org/team
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)")  # scheme://... and www....


def plain(text: str) -> str:
    """``text`` without control and format characters (ANSI escapes, NUL, bidirectional overrides, zero-width
    characters); new lines and tabs stay."""
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def markdown_text(text: str) -> str:
    """``text`` for a Markdown table cell: one line, no HTML, no links, images, autolinks or mentions; it
    reads the same and renders as nothing but text (emphasis is left alone: it cannot reach anyone)."""
    text = plain(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("`", "'").replace("|", "\\|")
    text = text.replace("[", "\\[").replace("]", "\\]")  # no link or image without its brackets
    text = _MENTION.sub("@" + ZWSP, text)
    return _AUTOLINK.sub(ZWSP, text)


def markdown_code(text: str) -> str:
    """``text`` inside a Markdown code span in a table: nothing in a code span renders, so only what would end
    the span, the cell or the line is replaced."""
    return plain(text.replace("\r", " ").replace("\n", " ")).replace("`", "'").replace("|", "\\|")


def plain_strings(value: Any) -> Any:
    """Every string in a JSON-shaped document (SARIF) :func:`plain`."""
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, dict):
        return {plain(k): plain_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_strings(v) for v in value]
    return value
