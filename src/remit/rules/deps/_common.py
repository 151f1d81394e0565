"""Shared reading of ``app.deps`` for the dependency rules: matches and signs become hits on the function."""

from __future__ import annotations

from collections.abc import Iterator

from remit.deps.facts import Reach, SignKind, advisory_severity
from remit.findings import Severity
from remit.model.application import Application
from remit.model.entities import Function
from remit.rules.base import Hit

REACH_TEXT = {Reach.IMPORTED: "the handler code imports it (severity kept)",
              Reach.NOT_IMPORTED: "shipped but never imported by the handler code (severity lowered one level)",
              Reach.UNKNOWN: "whether the code imports it is unknown (severity kept)"}


def match_hits(fn: Function, app: Application, *, malicious: bool) -> Iterator[Hit]:
    deps = app.deps.of(fn.id)
    if deps is None:
        return
    for m in deps.matches:
        if m.advisory.malicious is not malicious:
            continue
        p, a = m.package, m.advisory
        ids = ", ".join(dict.fromkeys((a.id, *a.aliases)))
        fix = f"; move to {p.name} {m.fix}" if m.fix else "; no fixed version is published"
        if malicious:
            message = f"{p.name} {p.version} is known malware ({ids}): {a.summary or 'malicious package'}"
            severity = Severity.CRITICAL
        else:
            message = (f"{p.name} {p.version} is affected by {ids}"
                       f"{' (CVSS ' + str(a.score) + ')' if a.score is not None else ''}: {a.summary}{fix}. "
                       f"{REACH_TEXT[m.reach].capitalize()}.")
            severity = advisory_severity(m)
        details = (("package", p.name), ("ecosystem", p.ecosystem.value), ("version", p.version or ""),
                   ("advisory", a.id), ("aliases", ",".join(a.aliases)), ("severity", a.severity),
                   ("fixed", m.fix or ""), ("reachable", m.reach.value), ("direct", str(p.direct).lower()),
                   ("manifest", str(p.manifest)))
        yield Hit(fn.node, message, fn.resource, evidence=f"{p.key}|{p.version}|{a.id}",
                  severity=severity, at=p.manifest, details=details,
                  shared=f"{p.manifest.path}|{p.key}|{p.version}|{a.id}")  # no line: it moves


def sign_hits(fn: Function, app: Application, kind: SignKind) -> Iterator[Hit]:
    deps = app.deps.of(fn.id)
    if deps is None:
        return
    for sign in deps.signs:
        if sign.kind is kind:
            yield Hit(fn.node, sign.message, fn.resource, evidence=sign.evidence,
                      at=sign.location, details=(("sign", sign.kind.value), ("package", sign.package)),
                      shared=f"{sign.location.path}|{sign.kind.value}|{sign.evidence}")
