"""Renderers: one module per output format, each a pure function of the :class:`~remit.result.ScanResult`."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

if TYPE_CHECKING:
    from remit.result import ScanResult


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"
    DOT = "dot"
    MERMAID = "mermaid"
    CYCLONEDX = "cyclonedx"
    JUNIT = "junit"


def advisory_warning(result: ScanResult) -> str:
    """The sentence every format's headline carries when some shipped dependencies were not checked against
    any advisory (offline with no cache, a failed download, an ecosystem missing), else "". One text for all
    formats, built from the dependency stage's :class:`~remit.deps.facts.AdvisorySource`."""
    if not result.advisories_unchecked or result.analysis is None:
        return ""
    return result.analysis.deps.source.headline()


def blind_spots(result: ScanResult) -> tuple[str, ...]:
    """What the scan could not check, one sentence each, for every format's headline (never a silent clean):
    dependencies not matched against advisories, inputs not fully analysed, infrastructure not read at all,
    values that could not be resolved."""
    out: list[str] = []
    warning = advisory_warning(result)
    if warning:
        out.append(warning)
    if (errors := result.inputs_not_analysed):
        out.append(f"{errors} input{'s' if errors != 1 else ''} could not be fully analysed (see the diagnostics)")
    if (unread := result.iac_not_read):
        out.append(f"{unread} part{'s' if unread != 1 else ''} of the infrastructure could not be read at all: a CDK "
                   "app without cdk.out, a module terraform init did not download, a file or shape remit cannot read "
                   "(see the diagnostics)")
    if (unknown := result.unresolved_values):
        out.append(f"{unknown} value{'s' if unknown != 1 else ''} could not be resolved (variables, counts): results "
                   "that depend on them may be incomplete")
    return tuple(out)


def advisory_summary(result: ScanResult) -> dict[str, object]:
    """The advisory source as plain data (JSON summary, SARIF run properties)."""
    source = result.analysis.deps.source if result.analysis is not None else None
    return {"checked": not result.advisories_unchecked,
            "source": source.kind.value if source else "none",
            "records": source.records if source else 0,
            "age_days": source.age_days if source else None,
            "offline": source.offline if source else False,
            "unchecked": list(source.unchecked) if source and result.advisories_unchecked else [],
            "warning": f"not checked: {warning}" if (warning := advisory_warning(result)) else ""}


def render(result: ScanResult, fmt: Format, *, color: bool = False, sarif_category: str = "",
           compact: bool = False, quiet: bool = False) -> str:
    """The report as text. Imports only the renderer asked for. ``color``, ``compact`` (one line a finding) and
    ``quiet`` (the headline only) are for text; ``sarif_category`` names the analysis in SARIF (empty: derived
    from where the scanned root sits in the repository)."""
    if fmt is Format.TEXT:
        from remit.report import text
        return text.render(result, color=color, compact=compact, quiet=quiet)
    if fmt is Format.JSON:
        from remit.report import json_report
        return json_report.render(result)
    if fmt is Format.SARIF:
        from remit.report import sarif
        return sarif.render(result, sarif_category)
    if fmt is Format.MARKDOWN:
        from remit.report import markdown
        return markdown.render(result)
    if fmt is Format.HTML:
        from remit.report import html
        return html.render(result)
    if fmt is Format.DOT:
        from remit.report import dot
        return dot.render(result)
    if fmt is Format.MERMAID:
        from remit.report import mermaid
        return mermaid.render(result)
    if fmt is Format.CYCLONEDX:
        from remit.report import cyclonedx
        return cyclonedx.render(result)
    if fmt is Format.JUNIT:
        from remit.report import junit
        return junit.render(result)
    assert_never(fmt)
