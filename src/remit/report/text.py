"""The terminal report: the headline, attack paths, findings grouped by rule (worst first, the fix once a rule),
then a summary.

Colour is the caller's decision (the CLI gives it only to a terminal and honours ``NO_COLOR``); this module
never looks at the environment. Text from templates is printed with control characters escaped, so a hostile
resource name cannot move the cursor or rewrite the screen.
"""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
from collections.abc import Sequence

from remit.diagnostics import Level
from remit.findings import Finding, Severity
from remit.report import blind_spots
from remit.result import ScanResult

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


def render(result: ScanResult, *, color: bool = False, compact: bool = False, quiet: bool = False) -> str:
    """The text report: the headline, attack paths, findings by rule, suppressed, diagnostics, blast radius,
    summary. ``compact``: one line a finding and a path, no fixes or trees; ``quiet``: the headline only."""
    style = _Style(color)
    out: list[str] = []
    docs = len(result.documents)
    out.append(style.bold(f"remit {result.tool_version}") +
               f" · {docs} template{'s' if docs != 1 else ''} · {len(result.rules)} rules")
    out.extend(_headline(result, style))  # one screen: counts, the worst paths, what was not checked
    if quiet:
        return "\n".join(out) + "\n"
    out.append("")
    if compact:
        return "\n".join([*out, *_compact(result, style)]) + "\n"
    out.extend(_paths(result, style))  # first things first: how an attacker gets what is worth having
    out.extend(_by_rule(result.active, style))
    suppressed = [f for f in result.findings if f.suppressed]
    hidden_paths = [p for p in result.attack_paths if p.suppressed]
    if len(suppressed) + len(hidden_paths) > LISTED_SUPPRESSED:  # a baseline of hundreds: a count, not a page
        kinds = Counter(s.kind.value for s in (*(f.suppression for f in suppressed),
                                                *(p.suppression for p in hidden_paths)) if s is not None)
        out.append(style.bold(f"Suppressed ({len(suppressed) + len(hidden_paths)})") + ": "
                   + " · ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
                   + " (each with its reason in --format json or sarif; --audit reports them)")
        out.append("")
    elif suppressed or hidden_paths:
        out.append(style.bold(f"Suppressed ({len(suppressed) + len(hidden_paths)})"))
        for f in suppressed:
            assert f.suppression is not None
            out.append(f"  {f.rule_id} {clean(f.resource)} ({f.location}): {f.suppression.kind.value}: "
                       f"{clean(f.suppression.reason)}")
        for p in hidden_paths:
            assert p.suppression is not None
            out.append(f"  {p.id} {clean(p.summary)}: {p.suppression.kind.value}: {clean(p.suppression.reason)}")
        out.append("")
    if result.diagnostics:
        out.append(style.bold(f"Diagnostics ({len(result.diagnostics)})"))
        for d in result.diagnostics:
            marker = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "info"}[d.level]
            where = f"{d.path}:{d.line}" if d.line else (d.path or "remit")
            out.append(f"  {marker:<7} {clean(where)}: {clean(d.message)}")
        out.append("")
    out.extend(_blast(result, style))
    out.extend(_summary(result, style))
    return "\n".join(out) + "\n"


TOP_PATHS = 5


def _by_rule(findings: Sequence[Finding], style: _Style) -> list[str]:
    """Findings grouped by rule, worst rule first: the rule's title and fix once, then every place it holds as a
    clickable ``path:line`` with the resource and what is wrong there. A finding whose fix differs from its
    rule's usual one (a few rules tailor it) carries its own."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.rule_id].append(f)
    ordered = sorted(groups.values(), key=lambda fs: (-max(f.severity.rank for f in fs), fs[0].rule_id))
    out: list[str] = []
    for group in ordered:
        group.sort(key=Finding.sort_key)
        worst = group[0]
        fix, _ = Counter(f.remediation for f in group).most_common(1)[0]
        mixed = len({f.severity for f in group}) > 1
        count = style.dim(f"  ({len(group)})") if len(group) > 1 else ""
        out.append(f"{style.sev(worst.severity)} {style.bold(worst.rule_id)}  {style.bold(clean(worst.title))}{count}")
        out.append(style.dim(_wrap("fix: " + fix, "  ")))
        for f in group:
            shown = f"{clean(f.construct)} [{clean(f.resource)}]" if f.construct else clean(f.resource)
            level = f"{f.severity.value.upper()} " if mixed else ""
            out.append(f"  {level}{clean(str(f.location))}  {style.bold(shown)}")
            out.append(_wrap(f.message, " " * 6))
            if f.remediation != fix:
                out.append(style.dim(_wrap("fix: " + f.remediation, " " * 6)))
        out.append("")
    return out
LISTED_SUPPRESSED = 10  # more suppressed findings and paths than this collapse to a count by kind


def _headline(result: ScanResult, style: _Style) -> list[str]:
    """The first screen: what was found, the attack paths worst first, what the threshold says, and what the
    scan could not check (never a silent clean)."""
    paths = result.active_paths
    by_severity = [f"{n} {s.value}" for s in Severity
                   if (n := sum(1 for p in paths if p.severity is s))]
    suppressed = len(result.findings) - len(result.active) + len(result.attack_paths) - len(paths)
    lines = [style.bold(result.headline()) + " · " + style.bold(
        f"{len(paths)} attack path{'s' if len(paths) != 1 else ''}")
        + (f" ({', '.join(by_severity)})" if by_severity else "")
        + (f" · {suppressed} suppressed" if suppressed else "")]
    threshold = result.fail_on.value if result.fail_on else "none"
    lines.append(f"fail-on {threshold}: {len(result.failing)} findings and {len(result.failing_paths)} attack "
                 f"paths at or above it")
    if result.tree_config is not None:
        lines.append(style.bold("configured by the scanned tree: ") + tree_config_line(result.tree_config))
    for blind in _blind_spots(result):
        lines.append(style.bold("not checked: ") + blind)
    if result.not_shown:
        lines.append(f"{result.not_shown} findings and attack paths below --min-severity are not shown")
    return lines


def _compact(result: ScanResult, style: _Style) -> list[str]:
    """One line a path and a finding, worst first, with a clickable ``path:line``: for terminals and logs."""
    out = [f"{style.sev(p.severity)} {p.id}  {clean(p.summary)}" for p in result.active_paths]
    if out:
        out.append("")
    for f in sorted(result.active, key=Finding.sort_key):
        out.append(f"{style.sev(f.severity)} {clean(str(f.location))}  {f.rule_id}  {clean(f.resource)}: "
                   f"{clean(' '.join(f.message.split()))}")
    return out


def tree_config_line(found: tuple[str, tuple[str, ...]]) -> str:
    """What a configuration file in the scanned repository changed (its keys are validated names)."""
    path, keys = found
    return f"{clean(path)} sets {', '.join(keys) or 'nothing'} (--no-config or --audit ignores it)"


def _blind_spots(result: ScanResult) -> list[str]:
    return [clean(line) for line in blind_spots(result)]


def _blast(result: ScanResult, style: _Style) -> list[str]:
    """One short block per function: what its role can read, write, invoke, pass and escalate to."""
    if not result.blast:
        return []
    out = [style.bold("Blast radius (per function role; all items in --format json)")]
    for b in result.blast:
        out.append(f"  {style.bold(clean(b.function))}  role {clean(b.role) or '?'}"
                   + ("  ADMIN: every action on every resource" if b.admin else ""))
        for label, items in (("read", b.read), ("write", b.write), ("invoke", b.invoke), ("pass", b.passes)):
            if items:
                text = "; ".join(x.describe() for x in items[:2]) + (f"; +{len(items) - 2} more" if len(items) > 2
                                                                     else "")
                out.append(style.dim(_wrap(f"{label}: {clean(text)}", " " * 4)))
        if b.escalate:
            out.append(_wrap("escalate: " + clean("; ".join(b.escalate[:2])), " " * 4))
    out.append("")
    return out


def _paths(result: ScanResult, style: _Style) -> list[str]:
    """The best attack paths as trees: the starting point, then each hop indented under the one before."""
    paths = result.active_paths
    if not paths:
        hidden = len(result.attack_paths)
        return [style.bold("Attack paths: none found") + (f" ({hidden} suppressed)" if hidden else ""), ""]
    shown = paths[:TOP_PATHS]
    more = f", top {len(shown)} shown; all in --format json / html" if len(paths) > len(shown) else ""
    out = [style.bold(f"Attack paths ({len(paths)}{more})")]
    for path in shown:
        more = f" (+{path.alternatives} other way{'s' if path.alternatives != 1 else ''} to it)" \
            if path.alternatives else ""
        out.append(f"  {style.sev(path.severity)} {path.score:4.1f}  {clean(path.summary)}{more}  {style.dim(path.id)}")
        first = path.steps[0]
        out.append(f"    {first.kind} {style.bold(clean(first.resource))}")
        for depth, step in enumerate(path.steps[1:]):
            where = style.dim(f"  ({clean(str(step.evidence))})") if step.evidence is not None else ""
            if step.deployed:  # a deployed resource shown at its template line
                where += style.dim(f"  deployed as {clean(step.deployed)}")
            indent = "    " + "   " * depth + "└─ "
            out.append(f"{indent}{step.kind} {style.bold(clean(step.resource))}{where}")
            out.append(style.dim(_wrap(step.label, " " * (len(indent) + 3))))
        out.append("")
    return out


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
    deps_line = _advisory_line(result)
    if deps_line:
        lines.append(deps_line)
    threshold = result.fail_on.value if result.fail_on else "none"
    failing, failing_paths = len(result.failing), len(result.failing_paths)
    lines.append(f"  fail-on {threshold}: {failing} finding{'s' if failing != 1 else ''} and {failing_paths} "
                 f"attack path{'s' if failing_paths != 1 else ''} at or above it")
    return lines


def _advisory_line(result: ScanResult) -> str:
    """Which advisories the dependency stage used; a scan without any says so (never a silent "clean")."""
    an = result.analysis
    if an is None or not any(d.packages for d in an.deps.functions.values()):
        return ""
    source = an.deps.source
    if source.kind.value == "none":
        return "  advisories:        NONE checked: dependencies were not matched against known vulnerabilities"
    age = f", {source.age_days} days old" if source.age_days is not None else ""
    missing = f"; NOT checked: {', '.join(source.unchecked)}" if source.unchecked else ""
    return f"  advisories:        {source.kind.value} {source.description} ({source.records} records{age}){missing}"
