"""Shared reading of ``an.deps`` for the dependency rules: matches and signs become hits on the function."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from remit.analysis import Analysis
from remit.deps.facts import ImportReach, SignKind, advisory_severity
from remit.findings import Severity
from remit.model.entities import Function
from remit.rules.base import Hit

REACH_TEXT = {ImportReach.IMPORTED: "the handler code imports it (severity kept)",
              ImportReach.NOT_IMPORTED: "shipped but never imported by the handler code (severity lowered one level)",
              ImportReach.UNKNOWN: "whether the code imports it is unknown (severity kept)"}


_REACH_ORDER = (ImportReach.NOT_IMPORTED, ImportReach.UNKNOWN, ImportReach.IMPORTED)
def _reach_text(reaches: Mapping[str, ImportReach]) -> tuple[ImportReach, str]:
    """The reach one finding reports for every function shipping the line: the strongest, and who imports it."""
    best = max(reaches.values(), key=_REACH_ORDER.index)
    if len(set(reaches.values())) == 1:
        return best, REACH_TEXT[best].capitalize()
    importing = sorted(n for n, r in reaches.items() if r is ImportReach.IMPORTED)
    never = sorted(n for n, r in reaches.items() if r is ImportReach.NOT_IMPORTED)
    said = [f"imported by {', '.join(importing)}" if importing else "",
            f"never imported by {', '.join(never)}" if never else ""]
    kept = "severity kept" if best is not ImportReach.NOT_IMPORTED else "severity lowered one level"
    text = "; ".join(s for s in said if s)
    return best, f"{text[0].upper()}{text[1:]} ({kept})"


def match_hits(fn: Function, an: Analysis, *, malicious: bool) -> Iterator[Hit]:
    deps = an.deps.of(fn.id)
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
            reach = m.reach
        else:
            # one finding per manifest line: functions importing the package and functions never importing it
            # share it, at the severity of the strongest reach
            reach, said = _reach_text(an.deps.shippers.get(m.fact) or {fn.logical_id: m.reach})
            message = (f"{p.name} {p.version} is affected by {ids}"
                       f"{' (CVSS ' + str(a.score) + ')' if a.score is not None else ''}: {a.summary}{fix}. "
                       f"{said}.")
            severity = advisory_severity(dataclasses.replace(m, reach=reach))
        details = (("package", p.name), ("ecosystem", p.ecosystem.value), ("version", p.version or ""),
                   ("advisory", a.id), ("aliases", ",".join(a.aliases)), ("severity", a.severity),
                   ("fixed", m.fix or ""), ("reachable", reach.value), ("direct", str(p.direct).lower()),
                   ("manifest", str(p.manifest)))
        yield Hit(fn.node, message, fn.resource, evidence=f"{p.key}|{p.version}|{a.id}",
                  severity=severity, at=p.manifest, details=details,
                  shared=m.fact)


def sign_hits(fn: Function, an: Analysis, kind: SignKind) -> Iterator[Hit]:
    deps = an.deps.of(fn.id)
    if deps is None:
        return
    for sign in deps.signs:
        if sign.kind is kind:
            yield Hit(fn.node, sign.message, fn.resource, evidence=sign.evidence,
                      at=sign.location, details=(("sign", sign.kind.value), ("package", sign.package)),
                      shared=f"{sign.location.path}|{sign.kind.value}|{sign.evidence}")
