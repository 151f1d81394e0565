"""Shared reading of ``an.code`` for the code rules (RMT-CODE-001..016): flows and issues become hits.

A hit is placed in the code (``Hit.at``) and belongs to the function resource (``Hit.node``), so a
``Metadata: remit: ignore`` on the function suppresses it. Confidence lowers severity: a flow whose source an
internal trigger delivers is one level below the rule's severity, one from an untriggered function two.

Each rule states its fix per language (:data:`Fixes`); the rule's remediation names both (:func:`remediation`),
and each hit carries the fix for the language of the file it points at (``Hit.remediation``), with the
language in its details.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from remit.analysis import Analysis
from remit.code.facts import Confidence, FunctionCode, IssueKind, Language, SinkKind, TaintFlow
from remit.findings import Severity
from remit.model.entities import Function
from remit.rules.base import Hit

_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
_DROP = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2}
_TRUST = {Confidence.HIGH: "an attacker controls it",
          Confidence.MEDIUM: "the trigger is internal, so only a writer inside the account or a system feeding it "
                             "controls it",
          Confidence.LOW: "nothing in the templates triggers the function; whoever invokes it controls it"}


Fixes = Mapping[Language, str]  # Language.PYTHON and Language.JAVASCRIPT (which also serves TypeScript)

_SUFFIX = {".py": Language.PYTHON, ".js": Language.JAVASCRIPT, ".mjs": Language.JAVASCRIPT,
           ".cjs": Language.JAVASCRIPT, ".jsx": Language.JAVASCRIPT, ".ts": Language.TYPESCRIPT,
           ".mts": Language.TYPESCRIPT, ".cts": Language.TYPESCRIPT, ".tsx": Language.TYPESCRIPT}


def remediation(fixes: Fixes) -> str:
    """The rule's remediation: the fix in each language."""
    return f"Python: {fixes[Language.PYTHON]} JavaScript / TypeScript: {fixes[Language.JAVASCRIPT]}"


def language_of(path: str, code: FunctionCode | None) -> Language:
    """The language of the file a hit points at (by suffix), else of the function's code."""
    by_suffix = _SUFFIX.get(PurePosixPath(path).suffix.lower())
    if by_suffix is not None:
        return by_suffix
    return code.language if code is not None else Language.OTHER


def fix_for(fixes: Fixes, language: Language) -> str:
    """The fix for one language; empty (the rule's remediation applies) for a language without one."""
    if language is Language.TYPESCRIPT:
        language = Language.JAVASCRIPT
    return fixes.get(language, "")


def lowered(severity: Severity, confidence: Confidence) -> Severity:
    index = max(0, _ORDER.index(severity) - _DROP[confidence])
    return _ORDER[index]


def lowered_once(severity: Severity) -> Severity:
    """One level below ``severity`` (LOW stays LOW): for a hit whose premise remit cannot confirm."""
    return _ORDER[max(0, _ORDER.index(severity) - 1)]


def flow_hits(fn: Function, an: Analysis, sink: SinkKind, base: Severity, impact: str,
              fixes: Fixes | None = None) -> Iterator[Hit]:
    """One hit per sink of kind ``sink`` that event data reaches in ``fn``, naming every event field that reaches
    it (the most trusted flow decides the severity and the flow shown); ``impact`` says what the attacker gets,
    ``fixes`` the fix per language. A sink line that several functions ship is one finding naming them all."""
    code = an.code.of(fn.id)
    if code is None:
        return
    by_sink: dict[tuple[str, int, str], list[TaintFlow]] = {}
    for flow in code.flows:
        if flow.sink is sink:
            by_sink.setdefault((flow.location.path, flow.location.line, flow.callee), []).append(flow)
    for (path, _line, callee), flows in by_sink.items():
        flow = min(flows, key=lambda f: _DROP[f.confidence])
        sources = list(dict.fromkeys(f.source for f in sorted(flows, key=lambda f: _DROP[f.confidence])))
        triggers = list(dict.fromkeys(f.trigger for f in flows if f.trigger))
        trigger = f" ({', '.join(triggers)} trigger{'s' if len(triggers) > 1 else ''})" if triggers else ""
        verb = "reaches" if len(sources) == 1 else "reach"
        message = (f"{', '.join(sources)}{trigger} {verb} {callee}: {impact}. "
                   f"Confidence {flow.confidence.value}: {_TRUST[flow.confidence]}.")
        language = language_of(path, code)
        yield Hit(fn.node, message, fn.resource, evidence=f"{path}|{callee}|{'|'.join(sources)}|{flow.snippet}",
                  severity=lowered(base, flow.confidence), at=flow.location, flow=flow.steps,
                  details=(("sink", flow.sink.value), ("source", ", ".join(sources)), ("trigger", flow.trigger),
                           ("confidence", flow.confidence.value), ("language", language.value)),
                  remediation=fix_for(fixes or {}, language),
                  shared=f"{path}|{callee}|{sink.value}|{flow.snippet}")  # no line: it moves


def issue_hits(fn: Function, an: Analysis, kind: IssueKind, base: Severity,
               critical: Severity | None = None, fixes: Fixes | None = None) -> Iterator[Hit]:
    code = an.code.of(fn.id)
    if code is None:
        return
    for issue in code.issues:
        if issue.kind is not kind:
            continue
        severity = critical if issue.critical and critical is not None else lowered(base, issue.confidence)
        language = language_of(issue.location.path, code)
        yield Hit(fn.node, issue.message if issue.message.endswith(".") else issue.message + ".", fn.resource,
                  evidence=f"{issue.location.path}|{issue.evidence}", severity=severity, at=issue.location,
                  flow=issue.steps, details=(("issue", issue.kind.value), ("confidence", issue.confidence.value),
                                             ("language", language.value)),
                  remediation=fix_for(fixes or {}, language),
                  shared=f"{issue.location.path}|{issue.kind.value}|{issue.evidence}")
