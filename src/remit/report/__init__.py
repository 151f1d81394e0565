"""Renderers: one module per output format, each a pure function of the :class:`~remit.api.ScanResult`."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

if TYPE_CHECKING:
    from remit.api import ScanResult


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"


def render(result: ScanResult, fmt: Format, *, color: bool = False) -> str:
    """The report as text. Imports only the renderer asked for."""
    if fmt is Format.TEXT:
        from remit.report import text  # noqa: PLC0415

        return text.render(result, color=color)
    if fmt is Format.JSON:
        from remit.report import json_report  # noqa: PLC0415

        return json_report.render(result)
    if fmt is Format.SARIF:
        from remit.report import sarif  # noqa: PLC0415

        return sarif.render(result)
    if fmt is Format.MARKDOWN:
        from remit.report import markdown  # noqa: PLC0415

        return markdown.render(result)
    assert_never(fmt)
