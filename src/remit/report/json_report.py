"""The JSON report: remit's stable contract (``schema_version`` "1", schema in ``remit/schema``)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from remit.diagnostics import Diagnostic
from remit.findings import AttackPath, Finding, Suppression
from remit.report import advisory_summary, blind_spots
from remit.result import ScanResult
from remit.source import SourceLocation

SCHEMA_VERSION = "1"


def _location(loc: SourceLocation) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "category": f.category.value,
        "sas": f.category.sas,
        "responsibility": f.responsibility.value,
        "resource": f.resource,
        **({"construct": f.construct} if f.construct else {}),
        "location": _location(f.location),
        "message": f.message,
        "remediation": f.remediation,
        "references": list(f.references),
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
        "suppression": _suppression(f.suppression),
        "related": [_location(r) for r in f.related],
        "flow": [{"location": _location(step.location), "label": step.label} for step in f.flow],
        "details": dict(f.details),
    }


def _suppression(s: Suppression | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"kind": s.kind.value, "reason": s.reason, "location": _location(s.location) if s.location else None}


def path_dict(p: AttackPath) -> dict[str, Any]:
    return {"id": p.id, "severity": p.severity.value, "score": p.score, "summary": p.summary,
            "alternatives": p.alternatives, "suppressed": p.suppressed, "suppression": _suppression(p.suppression),
            "steps": [{"kind": s.kind, "resource": s.resource, "label": s.label,
                       "location": _location(s.location) if s.location is not None else None,
                       "evidence": _location(s.evidence) if s.evidence is not None else None,
                       **({"deployed": s.deployed} if s.deployed else {})} for s in p.steps]}


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    return {"level": d.level.value, "path": d.path, "line": d.line, "code": d.code, "message": d.message}


def report(result: ScanResult) -> dict[str, Any]:
    active = result.active
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "remit", "version": result.tool_version},
        "summary": {
            "documents": len(result.documents),
            "findings": len(active),
            "suppressed": len(result.findings) - len(active),
            "failing": len(result.failing),
            "attack_paths": len(result.active_paths),
            "failing_paths": len(result.failing_paths),
            "fail_on": result.fail_on.value if result.fail_on else "none",
            "by_severity": dict(sorted(result.counts("severity").items())),
            "by_responsibility": dict(sorted(result.counts("responsibility").items())),
            "by_category": dict(sorted(result.counts("category").items())),
            "advisories": advisory_summary(result),
            "not_checked": list(blind_spots(result)),
        },
        "documents": [{"path": d.path, "kind": d.kind} for d in result.documents],
        "findings": [finding_dict(f) for f in result.findings],
        "attack_paths": [path_dict(p) for p in result.attack_paths],
        "functions": _functions(result),
        "account_trusts": [t.to_dict() for t in result.trusts],
        "diagnostics": [diagnostic_dict(d) for d in result.diagnostics],
    }


def _functions(result: ScanResult) -> list[dict[str, object]]:
    """Each function's blast radius as the scan computed it (remit.iam.blast); empty without a model."""
    return [b.to_dict() for b in result.blast]


def render(result: ScanResult) -> str:
    out: list[str] = []
    _dump(report(result), out.append, "")
    out.append("\n")
    return "".join(out)


# The text ``json.dumps(value, indent=2, ensure_ascii=False)`` gives, byte for byte. With an indent the standard
# library encodes in Python through three nested generators per container; one recursive function that appends
# to a list does the same work in about two thirds of the time (the 1,000-function app's report is ~10 MB).
_string: Callable[[str], str] = json.encoder.encode_basestring  # the C function when _json is built


def _number(value: float) -> str:
    if value != value:  # noqa: PLR0124 - NaN, written as json.dumps writes it
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _number(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _dump(value: object, out: Callable[[str], None], pad: str) -> None:
    if isinstance(value, str):
        out(_string(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(int.__repr__(value))
    elif isinstance(value, float):
        out(_number(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out("[]")
            return
        inner = pad + "  "
        out("[\n" + inner)
        for i, item in enumerate(value):
            if i:
                out(",\n" + inner)
            if isinstance(item, str):  # most items: no call
                out(_string(item))
            else:
                _dump(item, out, inner)
        out("\n" + pad + "]")
    elif isinstance(value, dict):
        if not value:
            out("{}")
            return
        inner = pad + "  "
        out("{\n" + inner)
        for i, (key, item) in enumerate(value.items()):
            out((",\n" + inner if i else "") + _string(_key(key)) + ": ")
            if isinstance(item, str):
                out(_string(item))
            else:
                _dump(item, out, inner)
        out("\n" + pad + "}")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
