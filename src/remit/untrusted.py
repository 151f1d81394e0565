"""The one way remit parses JSON and TOML it did not write: a manifest, a lockfile, a ``pyproject.toml``, a
configuration file, an advisory record, a JSON string inside a template.

The standard parsers fail on hostile input in ways their usual ``except`` clauses do not expect:
``RecursionError`` for deep nesting (``[[[[...]]]]``), ``ValueError`` for an integer past Python's digit limit
(``int`` ↔ ``str`` of more than 4300 digits), ``UnicodeDecodeError`` for bytes that are not UTF-8. Here every
one of them becomes a :class:`BadDocument`, which is at once a ``json.JSONDecodeError`` and a
``tomllib.TOMLDecodeError`` (both ``ValueError``), so a call site that caught the parser's own error keeps
working with only the call swapped.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

from remit.errors import BadDocument


def _why(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid UTF-8 (byte {exc.start})"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "integer string conversion" in text:
        return "a number with more digits than remit reads"
    return text[:200]


def json_loads(data: str | bytes | bytearray) -> Any:
    """``json.loads`` that raises only :class:`BadDocument`."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BadDocument(_why(exc)) from None


def jsonc_loads(text: str) -> Any:
    """JSON with comments and trailing commas (``tsconfig.json``, ``jsconfig.json``), as :func:`json_loads`:
    ``//`` and ``/* */`` comments outside strings become spaces and a comma before ``}`` or ``]`` is dropped."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i:end + 1])
            i = end + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif char in "}]":
            while out and out[-1].isspace():
                out.pop()
            if out and out[-1] == ",":
                out.pop()
            out.append(char)
            i += 1
        else:
            out.append(char)
            i += 1
    return json_loads("".join(out))


def toml_loads(text: str | bytes) -> dict[str, Any]:
    """``tomllib.loads`` that raises only :class:`BadDocument`; bytes are decoded as UTF-8 (TOML's encoding)."""
    try:
        return tomllib.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (ValueError, RecursionError, TypeError) as exc:
        raise BadDocument(_why(exc)) from None
