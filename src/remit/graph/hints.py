"""What lets an attacker run code in a function (or misuse it), from the facts the earlier stages computed.

The graph asks one question of the code and dependency stages: *which functions can an attacker make do
something, from which triggers, and how surely?* The answers are :class:`CodeHint` s, read from facts only —
never from findings, whose severities, selection and suppressions the user controls and which must not change
which attack paths exist:

* the code stage's taint flows (``an.code.of(fn.id).flows``: sink, trigger, confidence);
* the dependency stage's facts (``an.deps.of(fn.id)``): a package an OSV ``MAL-`` record calls malware, or one
  whose name imitates a popular package or that runs obfuscated code when loaded (its code runs when the
  function loads it), and a package at a version a critical or high advisory affects (exploitable through the
  function's triggers; more surely when the handler imports it; not at all when it never does).

Tests and embedding programs may pass more hints to :func:`remit.graph.analyze` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from remit.analysis import Analysis
from remit.code.facts import Confidence, SinkKind, TaintFlow
from remit.deps.facts import FunctionDeps, ImportReach, SignKind, advisory_severity
from remit.findings import Severity
from remit.model.entities import Function
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
_ADVISORY = {Severity.CRITICAL: 0.6, Severity.HIGH: 0.45}
# never imported: nothing calls the vulnerable code
_ADVISORY_REACH = {ImportReach.IMPORTED: 1.0, ImportReach.UNKNOWN: 0.6}
MALWARE = 0.95  # a known-malicious package runs its code for sure
LOOKALIKE = 0.7  # a look-alike name or obfuscated code probably does
_MALICIOUS_SIGNS = frozenset({SignKind.TYPOSQUAT, SignKind.OBFUSCATED})


def sink_text(sink: SinkKind) -> str:
    return _SINK_TEXT[sink]


def _flow_hint(fn: Function, flow: TaintFlow) -> CodeHint:
    return CodeHint(fn.id, HintKind.INJECTION,
                    f"{sink_text(flow.sink)}: {flow.source} reaches {flow.callee}",
                    _CONFIDENCE.get(flow.confidence, 0.3), flow.sink,
                    frozenset({flow.trigger}) if flow.trigger else frozenset(), flow.location)


def _dependency_hints(fn: Function, deps: FunctionDeps) -> Iterable[CodeHint]:
    for m in deps.matches:
        p, a = m.package, m.advisory
        ids = ", ".join(dict.fromkeys((a.id, *a.aliases)))
        if a.malicious:
            yield CodeHint(fn.id, HintKind.MALICIOUS_PACKAGE, _one_line(f"{p.name} {p.version} is known malware "
                                                                         f"({ids})"), MALWARE, location=p.manifest)
            continue
        severity = advisory_severity(m)
        reach = _ADVISORY_REACH.get(m.reach)
        if severity in _ADVISORY and reach is not None:
            yield CodeHint(fn.id, HintKind.VULNERABLE_PACKAGE,
                           _one_line(f"{p.name} {p.version} is affected by {ids}: {a.summary}"),
                           _ADVISORY[severity] * reach, location=p.manifest)
    for sign in deps.signs:
        if sign.kind in _MALICIOUS_SIGNS:
            yield CodeHint(fn.id, HintKind.MALICIOUS_PACKAGE, _one_line(sign.message), LOOKALIKE,
                           location=sign.location)


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def gather(an: Analysis, extra: Iterable[CodeHint] = ()) -> tuple[CodeHint, ...]:
    """Every hint about every function: code-stage flows, then dependency facts, then ``extra``."""
    out: list[CodeHint] = []
    for fn in an.app.functions:
        code = an.code.of(fn.id)
        if code is not None:
            out.extend(_flow_hint(fn, flow) for flow in code.flows)
        deps = an.deps.of(fn.id)
        if deps is not None:
            out.extend(_dependency_hints(fn, deps))
    out.extend(extra)
    seen: set[tuple[ResourceId, HintKind, str, SourceLocation | None]] = set()
    unique = []
    for h in out:
        key = (h.function, h.kind, h.label, h.location)
        if key not in seen:
            seen.add(key)
            unique.append(h)
    return tuple(unique)
