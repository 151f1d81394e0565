"""SARIF 2.1.0: the findings for code-scanning tools (GitHub, GitLab, Azure DevOps).

Rules come from rule metadata (``help`` from the docstring, ``security-severity`` for GitHub), results carry
``partialFingerprints`` (remit's fingerprint, stable across line moves) and URIs relative to ``%SRCROOT%``,
the scanned root. Suppressed findings stay in the log with a ``suppressions`` entry.
"""

from __future__ import annotations

import json
from typing import Any

from remit.api import ScanResult
from remit.diagnostics import Level
from remit.findings import Finding, Severity, SuppressionKind
from remit.rules.base import Rule
from remit.source import SourceLocation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
_NOTIFICATION_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    help_text = f"{rule.help}\n\nRemediation: {rule.remediation}"
    references = "".join(f"\n- {ref}" for ref in rule.references)
    help_md = f"{rule.help}\n\n**Remediation:** {rule.remediation}"
    if references:
        help_text += "\n\nReferences:" + references
        help_md += "\n\n**References:**" + references
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.slug.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary()},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", rule.category.value, rule.category.sas, rule.responsibility.value,
                     *(f"external/cwe/{c.lower()}" for c in rule.cwe)],
            "security-severity": rule.severity.score,
            "precision": "high",
            "problem.severity": "error" if rule.severity.rank >= Severity.HIGH.rank else "warning",
        },
    }


def _physical(loc: SourceLocation) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)},
    }


def _result(f: Finding, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": _physical(f.location),
            "logicalLocations": [{"name": f.resource, "kind": "resource"}],
        }],
        "partialFingerprints": {"remitFingerprint/v1": f.fingerprint},
        "properties": {
            "severity": f.severity.value,
            "security-severity": f.severity.score,
            "category": f.category.value,
            "responsibility": f.responsibility.value,
        },
    }
    if f.related:
        result["relatedLocations"] = [
            {"id": i + 1, "physicalLocation": _physical(loc), "message": {"text": "related"}}
            for i, loc in enumerate(f.related)
        ]
    if f.flow:
        result["codeFlows"] = [{"threadFlows": [{"locations": [
            {"location": {"physicalLocation": _physical(step.location), "message": {"text": step.label}},
             "executionOrder": i + 1}
            for i, step in enumerate(f.flow)
        ]}]}]
    if f.details:
        result["properties"]["details"] = dict(f.details)
    if f.suppression is not None:
        kind = "external" if f.suppression.kind is SuppressionKind.BASELINE else "inSource"
        result["suppressions"] = [{"kind": kind, "status": "accepted", "justification": f.suppression.reason}]
    return result


def log(result: ScanResult) -> dict[str, Any]:
    rules = list(result.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    notifications = [
        {
            "level": _NOTIFICATION_LEVEL[d.level],
            "message": {"text": f"{d.message} [{d.code}]"},
            **({"locations": [{"physicalLocation": _physical(SourceLocation(d.path, d.line or 1))}]}
               if d.path else {}),
        }
        for d in result.diagnostics
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "remit",
                "version": result.tool_version,
                "semanticVersion": result.tool_version,
                "rules": [_rule(r) for r in rules],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": result.root.as_uri() + "/",
                                                 "description": {"text": "the scanned root"}}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "results": [_result(f, index.get(f.rule_id, 0)) for f in result.findings],
            "columnKind": "unicodeCodePoints",
        }],
    }


def render(result: ScanResult) -> str:
    return json.dumps(log(result), indent=2, ensure_ascii=False) + "\n"
