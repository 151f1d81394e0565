"""Small questions several Lambda rules ask of the model."""

from __future__ import annotations

from collections.abc import Iterable

from remit.model.values import Value, may_be_absent, render, text


def always_set(value: Value | None) -> bool:
    """The property is written and no ``Fn::If`` branch removes it with ``AWS::NoValue``."""
    return value is not None and not may_be_absent(value)


def names(values: Iterable[str], limit: int = 3) -> str:
    """``A, B and C`` (``A, B, C and 2 more`` past ``limit``)."""
    items = list(dict.fromkeys(values))
    if len(items) > limit:
        shown = items[:limit]
        return f"{', '.join(shown)} and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def short(value: Value | None) -> str:
    """A value for a message: its text when known, else its rendered form."""
    if value is None:
        return "(not set)"
    known = text(value)
    return known if known is not None else render(value)
