"""The terminal report: findings grouped by resource, worst first, then a summary.

Colour is the caller's decision (the CLI gives it only to a terminal and honours ``NO_COLOR``); this module
never looks at the environment. Text from templates is printed with control characters escaped, so a hostile
resource name cannot move the cursor or rewrite the screen.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict

from remit.api import ScanResult
from remit.diagnostics import Level
from remit.findings import Finding, Severity

_COLORS = {
    Severity.CRITICAL: "\x1b[1;97;41m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
}
_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"
_WIDTH = 100


def clean(value: str) -> str:
    """Escape control characters (ANSI escapes, carriage returns) in untrusted text."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
                   for ch in value)


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def sev(self, severity: Severity) -> str:
        label = f"{severity.value.upper():<8}"
        return f"{_COLORS[severity]}{label}{_RESET}" if self.color else label

    def dim(self, s: str) -> str:
        return f"{_DIM}{s}{_RESET}" if self.color else s

    def bold(self, s: str) -> str:
        return f"{_BOLD}{s}{_RESET}" if self.color else s


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(clean(text), width=_WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def render(result: ScanResult, *, color: bool = False) -> str:
    style = _Style(color)
    out: list[str] = []
    docs = len(result.documents)
    out.append(style.bold(f"remit {result.tool_version}") +
               f" · {docs} template{'s' if docs != 1 else ''} · {len(result.rules)} rules")
    out.append("")
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in result.active:
        groups[(f.location.path, f.resource)].append(f)
    ordered = sorted(groups.items(), key=lambda kv: (-max(f.severity.rank for f in kv[1]), kv[0]))
    for (path, resource), findings in ordered:
        out.append(style.bold(clean(resource)) + style.dim(f"  ({clean(path)})"))
        for f in sorted(findings, key=Finding.sort_key):
            line = style.dim(f"line {f.location.line}")
            out.append(f"  {style.sev(f.severity)} {f.rule_id}  {clean(f.title)}  {line}")
            out.append(_wrap(f.message, " " * 13))
            out.append(style.dim(_wrap("fix: " + f.remediation, " " * 13)))
        out.append("")
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        out.append(style.bold(f"Suppressed ({len(suppressed)})"))
        for f in suppressed:
            assert f.suppression is not None
            out.append(f"  {f.rule_id} {clean(f.resource)} ({f.location}): {f.suppression.kind.value}: "
                       f"{clean(f.suppression.reason)}")
        out.append("")
    if result.diagnostics:
        out.append(style.bold(f"Diagnostics ({len(result.diagnostics)})"))
        for d in result.diagnostics:
            marker = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "info"}[d.level]
            where = f"{d.path}:{d.line}" if d.line else (d.path or "remit")
            out.append(f"  {marker:<7} {clean(where)}: {clean(d.message)}")
        out.append("")
    out.extend(_summary(result, style))
    return "\n".join(out) + "\n"


def _summary(result: ScanResult, style: _Style) -> list[str]:
    active = result.active
    head = result.headline()
    if len(result.findings) != len(active):
        head += f", {len(result.findings) - len(active)} suppressed"
    lines = [style.bold("Summary: ") + head]
    by_resp = result.counts("responsibility")
    if by_resp:
        lines.append("  by responsibility: " + " · ".join(f"{k} {v}" for k, v in sorted(by_resp.items())))
    by_cat = result.counts("category")
    if by_cat:
        lines.append("  by category:       " + " · ".join(f"{k} {v}" for k, v in
                                                         sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))))
    threshold = result.fail_on.value if result.fail_on else "none"
    failing = len(result.failing)
    lines.append(f"  fail-on {threshold}: {failing} finding{'s' if failing != 1 else ''} at or above it")
    return lines
