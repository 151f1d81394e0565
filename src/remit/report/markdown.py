"""A compact Markdown table for pull-request comments."""

from __future__ import annotations

from remit.findings import Finding, Severity
from remit.report import blind_spots
from remit.report.neutral import markdown_code, markdown_text
from remit.report.text import tree_config_line
from remit.result import ScanResult

_ICON = {Severity.CRITICAL: "🟥", Severity.HIGH: "🟧", Severity.MEDIUM: "🟨", Severity.LOW: "🟦"}


def cell(value: str) -> str:
    """Text safe inside a table cell: no pipes, no line breaks, no HTML, no links, images or mentions."""
    return markdown_text(value)


def _row(f: Finding) -> str:
    resource = f"{f.resource} ({f.construct})" if f.construct else f.resource
    return (f"| {_ICON[f.severity]} {f.severity.value} | `{f.rule_id}` | {cell(resource)} | "
            f"{_code(str(f.location))} | {cell(f.message)} |")


def _code(value: str) -> str:
    """A code span that a backtick or pipe in a file name cannot break."""
    return f"`{markdown_code(value)}`"


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


LIMIT = 60_000  # characters: GitHub refuses comments over 65,536; the rest of the report says where the rest is


def _blind_spots(result: ScanResult) -> list[str]:
    """What the scan could not check, said where a reviewer looks first."""
    out = [f"⚠️ Not checked: {cell(line)}." for line in blind_spots(result)]
    if result.tree_config is not None:
        out.append(f"⚠️ Configured by the scanned repository: {cell(tree_config_line(result.tree_config))}.")
    return [*out, ""] if out else []


def render(result: ScanResult) -> str:
    """The report, cut to :data:`LIMIT` characters with a count of what was left out."""
    active = result.active
    head = [f"### remit: {result.headline()}", "", *_blind_spots(result), *_paths(result)]
    used = sum(len(line) + 1 for line in head)
    body: list[str] = []
    left_out = 0
    if active:
        body += ["| Severity | Rule | Resource | Location | Finding |", "|---|---|---|---|---|"]
        used += sum(len(line) + 1 for line in body)
        for f in active:
            row = _row(f)
            if used + len(row) + 1 > LIMIT:
                left_out += 1
                continue
            body.append(row)
            used += len(row) + 1
        body.append("")
        if left_out:
            body += [f"{left_out} more finding{'s' if left_out != 1 else ''} not shown here (a pull-request comment "
                     "holds 65,536 characters): the full report is `remit scan --format json`, `sarif` or `html`.",
                     ""]
    else:
        body += ["No unsuppressed findings.", ""]
    by_resp = result.counts("responsibility")
    if by_resp:
        body += ["By responsibility: " + ", ".join(f"{k} {v}" for k, v in sorted(by_resp.items())), ""]
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        rows = []
        for f in suppressed:
            assert f.suppression is not None
            rows.append(f"| `{f.rule_id}` | {cell(f.resource)} | {_code(str(f.location))} | "
                        f"{cell(f.suppression.reason)} |")
        block = [f"<details><summary>{len(suppressed)} suppressed</summary>", "",
                 "| Rule | Resource | Location | Reason |", "|---|---|---|---|", *rows, "", "</details>", ""]
        if used + sum(len(line) + 1 for line in block) <= LIMIT:
            body += block
        else:
            body += [f"{len(suppressed)} suppressed (listed in the full report).", ""]
    return "\n".join([*head, *body])
