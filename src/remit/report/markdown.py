"""A compact Markdown table for pull-request comments."""

from __future__ import annotations

from remit.api import ScanResult
from remit.findings import Finding, Severity
from remit.report.text import clean

_ICON = {Severity.CRITICAL: "🟥", Severity.HIGH: "🟧", Severity.MEDIUM: "🟨", Severity.LOW: "🟦"}


def cell(value: str) -> str:
    """Text safe inside a table cell: no pipes, no line breaks, no HTML."""
    value = clean(value.replace("\r", " ").replace("\n", " "))
    return (value.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("`", "'"))


def _row(f: Finding) -> str:
    resource = f"{f.resource} ({f.construct})" if f.construct else f.resource
    return (f"| {_ICON[f.severity]} {f.severity.value} | `{f.rule_id}` | {cell(resource)} | "
            f"{_code(str(f.location))} | {cell(f.message)} |")


def _code(value: str) -> str:
    """A code span that a backtick or pipe in a file name cannot break."""
    return f"`{cell(value)}`"


TOP_PATHS = 10


def _paths(result: ScanResult) -> list[str]:
    """The attack paths first: how an attacker gets what is worth having, one row each, worst first."""
    paths = result.active_paths
    if not paths:
        return []
    lines = [f"**Attack paths ({len(paths)})**", "", "| Severity | Path | Steps | Id |", "|---|---|---|---|"]
    for p in paths[:TOP_PATHS]:
        chain = " → ".join(f"{s.kind} {s.resource}" for s in p.steps)
        lines.append(f"| {_ICON[p.severity]} {p.severity.value} | {cell(p.summary)} | {cell(chain)} | `{p.id}` |")
    if len(paths) > TOP_PATHS:
        lines.append(f"\n{len(paths) - TOP_PATHS} more in `remit scan --format json` or `--format html`.")
    lines.append("")
    return lines


def render(result: ScanResult) -> str:
    active = result.active
    lines = [f"### remit: {result.headline()}", ""]
    lines += _paths(result)
    if active:
        lines += ["| Severity | Rule | Resource | Location | Finding |", "|---|---|---|---|---|"]
        lines += [_row(f) for f in active]
        lines.append("")
    else:
        lines += ["No unsuppressed findings.", ""]
    by_resp = result.counts("responsibility")
    if by_resp:
        lines.append("By responsibility: " + ", ".join(f"{k} {v}" for k, v in sorted(by_resp.items())))
        lines.append("")
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        lines += [f"<details><summary>{len(suppressed)} suppressed</summary>", "",
                  "| Rule | Resource | Location | Reason |", "|---|---|---|---|"]
        for f in suppressed:
            assert f.suppression is not None
            lines.append(f"| `{f.rule_id}` | {cell(f.resource)} | `{cell(str(f.location))}` | "
                         f"{cell(f.suppression.reason)} |")
        lines += ["", "</details>", ""]
    errors = [d for d in result.diagnostics if d.level.value == "error"]
    if errors:
        lines.append(f"{len(errors)} input{'s' if len(errors) != 1 else ''} could not be fully analysed; "
                     "run `remit scan` locally for the diagnostics.")
        lines.append("")
    return "\n".join(lines)
