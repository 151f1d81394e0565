"""What lets an attacker run code in a function (or misuse it), from whatever the earlier stages learnt.

The graph asks one question of the code and dependency stages: *which functions can an attacker make do
something, from which triggers, and how surely?* The answers are :class:`CodeHint` s, gathered from

* the code stage's taint flows (``app.code.of(fn.id).flows``: sink, trigger, confidence), when it ran;
* otherwise the code rules' findings (``RMT-CODE-0xx``, by rule id), which carry the same facts less precisely;
* the dependency rules' findings: ``RMT-SUPPLY-0xx`` (a malicious or look-alike package: the package's code
  runs when the function loads it) and ``RMT-DEP-0xx`` (an advisory: exploitable through the function's
  triggers, more surely when the finding says the vulnerable code is reachable).

Tests and embedding programs may pass more hints to :func:`remit.graph.build` directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from remit.code.facts import Confidence, SinkKind, TaintFlow
from remit.findings import Finding, Severity
from remit.model.application import Application
from remit.model.entities import CodeKind, Function
from remit.model.resources import ResourceId
from remit.source import SourceLocation


class HintKind(StrEnum):
    INJECTION = "injection"  # event data reaches a dangerous sink
    MALICIOUS_PACKAGE = "malicious-package"  # the function ships a malicious / look-alike package
    VULNERABLE_PACKAGE = "vulnerable-package"  # the function ships a package with a known advisory


@dataclass(frozen=True, slots=True)
class CodeHint:
    function: ResourceId
    kind: HintKind
    label: str  # one line: "command injection: event['body'] reaches subprocess.run(shell=True)"
    likelihood: float  # 0-1
    sink: SinkKind | None = None
    triggers: frozenset[str] = frozenset()  # trigger kinds that make it reachable ("api-route", "s3"); empty: any
    location: SourceLocation | None = None


# what each sink gives an attacker: full code execution (with a likelihood factor) or misuse of data access
EXECUTES: Mapping[SinkKind, float] = {
    SinkKind.COMMAND: 1.0,
    SinkKind.CODE: 1.0,
    SinkKind.DESERIALIZATION: 0.9,
    SinkKind.TEMPLATE: 0.8,
    SinkKind.PATH: 0.6,  # reads /proc/self/environ: the function's temporary credentials
    SinkKind.XXE: 0.5,  # same, through an external entity
}
QUERIES: frozenset[SinkKind] = frozenset({SinkKind.SQL, SinkKind.NOSQL})
_SINK_TEXT = {
    SinkKind.COMMAND: "command injection", SinkKind.CODE: "code injection", SinkKind.SQL: "SQL injection",
    SinkKind.NOSQL: "NoSQL injection", SinkKind.PATH: "path traversal", SinkKind.SSRF: "SSRF",
    SinkKind.DESERIALIZATION: "unsafe deserialization", SinkKind.XXE: "XXE",
    SinkKind.TEMPLATE: "template injection", SinkKind.REDIRECT: "open redirect", SinkKind.XSS: "XSS",
}
_CONFIDENCE = {Confidence.HIGH: 0.9, Confidence.MEDIUM: 0.6, Confidence.LOW: 0.3}
CODE_RULES: Mapping[str, SinkKind] = {
    "RMT-CODE-001": SinkKind.COMMAND, "RMT-CODE-002": SinkKind.CODE, "RMT-CODE-003": SinkKind.SQL,
    "RMT-CODE-004": SinkKind.NOSQL, "RMT-CODE-005": SinkKind.PATH, "RMT-CODE-006": SinkKind.SSRF,
    "RMT-CODE-007": SinkKind.DESERIALIZATION, "RMT-CODE-008": SinkKind.XXE, "RMT-CODE-009": SinkKind.TEMPLATE,
}
_ADVISORY = {Severity.CRITICAL: 0.6, Severity.HIGH: 0.45}
_SUPPLY = {Severity.CRITICAL: 0.95, Severity.HIGH: 0.7}


def sink_text(sink: SinkKind) -> str:
    return _SINK_TEXT[sink]


def _flow_hint(fn: Function, flow: TaintFlow) -> CodeHint:
    return CodeHint(fn.id, HintKind.INJECTION,
                    f"{sink_text(flow.sink)}: {flow.source} reaches {flow.callee}",
                    _CONFIDENCE.get(flow.confidence, 0.3), flow.sink,
                    frozenset({flow.trigger}) if flow.trigger else frozenset(), flow.location)


class _Owners:
    """Which functions a finding belongs to: by the author's logical id, or by the code directory that holds
    the file it points at (a manifest shared by two functions belongs to both)."""

    def __init__(self, app: Application) -> None:
        self.by_name: dict[str, list[Function]] = defaultdict(list)
        self.dirs: list[tuple[str, Function]] = []
        for fn in app.functions:
            self.by_name[fn.resource.origin.logical_id].append(fn)
            if fn.logical_id != fn.resource.origin.logical_id:
                self.by_name[fn.logical_id].append(fn)
            if fn.code.kind is CodeKind.LOCAL and fn.code.path is not None:
                try:
                    rel = fn.code.path.resolve().relative_to(app.root.resolve()).as_posix()
                except (ValueError, OSError):
                    continue
                self.dirs.append(("" if rel == "." else rel.rstrip("/") + "/", fn))

    def of(self, finding: Finding) -> list[Function]:
        named = self.by_name.get(finding.resource)
        if named:
            return named
        path = finding.location.path
        return [fn for prefix, fn in self.dirs if prefix and path.startswith(prefix)]


def _detail(finding: Finding, *names: str) -> str | None:
    details = dict(finding.details)
    return next((details[n] for n in names if n in details), None)


def _finding_hints(app: Application, findings: Iterable[Finding], flows_known: set[ResourceId]) -> list[CodeHint]:
    owners = _Owners(app)
    out: list[CodeHint] = []
    for f in findings:
        if f.suppressed:
            continue
        rid = f.rule_id
        if rid in CODE_RULES:
            sink = CODE_RULES[rid]
            trigger = _detail(f, "trigger")
            conf = _detail(f, "confidence")
            likelihood = _CONFIDENCE.get(Confidence(conf), 0.6) if conf in set(Confidence) else 0.6
            for fn in owners.of(f):
                if fn.id in flows_known:
                    continue  # the code stage's own flows say it better
                out.append(CodeHint(fn.id, HintKind.INJECTION, f"{sink_text(sink)}: {_one_line(f.message)}",
                                    likelihood, sink, frozenset({trigger}) if trigger else frozenset(),
                                    f.location))
        elif rid.startswith("RMT-SUPPLY-") and f.severity in _SUPPLY:
            # a known-malicious package (critical) runs its code for sure; a look-alike name (high) probably
            # does; weaker signs (unpinned versions, install scripts: medium and low) add no edge
            for fn in owners.of(f):
                out.append(CodeHint(fn.id, HintKind.MALICIOUS_PACKAGE, _one_line(f.message), _SUPPLY[f.severity],
                                    location=f.location))
        elif rid.startswith("RMT-DEP-") and f.severity in _ADVISORY:
            reachable = (_detail(f, "reachable") or "").lower()
            if reachable in ("false", "no", "unreachable"):
                continue
            factor = 1.0 if reachable in ("true", "yes", "reachable") else 0.6
            for fn in owners.of(f):
                out.append(CodeHint(fn.id, HintKind.VULNERABLE_PACKAGE, _one_line(f.message),
                                    _ADVISORY[f.severity] * factor, location=f.location))
    return out


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def gather(app: Application, findings: Sequence[Finding], extra: Iterable[CodeHint] = ()) -> tuple[CodeHint, ...]:
    """Every hint about every function: code-stage flows first, then findings, then ``extra``."""
    out: list[CodeHint] = []
    with_flows: set[ResourceId] = set()
    for fn in app.functions:
        code = app.code.of(fn.id)
        if code is None or not code.flows:
            continue
        with_flows.add(fn.id)
        out.extend(_flow_hint(fn, flow) for flow in code.flows)
    out.extend(_finding_hints(app, findings, with_flows))
    out.extend(extra)
    seen: set[tuple[ResourceId, HintKind, str, SourceLocation | None]] = set()
    unique = []
    for h in out:
        key = (h.function, h.kind, h.label, h.location)
        if key not in seen:
            seen.add(key)
            unique.append(h)
    return tuple(unique)

