"""SARIF 2.1.0: the findings for code-scanning tools (GitHub, GitLab, Azure DevOps).

Rules come from rule metadata (``help`` from the docstring, ``helpUri`` the rule's page under ``docs/rules/``,
``security-severity`` for GitHub), results carry ``partialFingerprints`` (remit's fingerprint, stable across
line moves) and URIs relative to ``%SRCROOT%``, the repository root (``ScanResult.source_prefix`` says where the
scanned root sits in it), so GitHub places them as they are. ``%SRCROOT%`` is never given an absolute URI: the
log names no directory of the machine that wrote it. ``automationDetails.id`` is ``remit/<category>/``: GitHub
takes everything up to the last ``/`` as the analysis category, so several scans of one repository (one per
application directory) stay apart. Suppressed findings stay in the log with a ``suppressions`` entry.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from remit import DOCS_URL, PROJECT_URL, rule_doc_url
from remit.diagnostics import Level
from remit.findings import AttackPath, Finding, Severity, Suppression, SuppressionKind
from remit.report import advisory_summary, blind_spots
from remit.report.neutral import plain_strings
from remit.result import ScanResult
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
    doc = rule_doc_url(rule.id)
    help_text += f"\n\nDocumentation: {doc}"
    help_md += f"\n\n[{rule.id} documentation]({doc})"
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.slug.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary()},
        "helpUri": doc,
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


def automation_id(category: str) -> str:
    """``remit/<category>/``: the trailing ``/`` makes all of it GitHub's analysis category (GitHub reads what
    follows the last ``/`` as a run id and ignores it)."""
    category = category.strip().strip("/")
    return f"remit/{category}/" if category else "remit/"


class _Locator:
    """SARIF locations of paths relative to the scanned root, made relative to the repository root and written
    as URI references (a space, ``%`` or ``#`` in a file name is percent-encoded)."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result

    def physical(self, loc: SourceLocation) -> dict[str, Any]:
        return {
            "artifactLocation": {"uri": quote(self.result.source_path(loc.path), safe="/"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)},
        }


def _result(f: Finding, index: int, at: _Locator) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": at.physical(f.location),
            "logicalLocations": [{"name": f.resource, "kind": "resource",
                                  **({"fullyQualifiedName": f.construct} if f.construct else {})}],
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
            {"id": i + 1, "physicalLocation": at.physical(loc), "message": {"text": "related"}}
            for i, loc in enumerate(f.related)
        ]
    if f.flow:
        result["codeFlows"] = [{"threadFlows": [{"locations": [
            {"location": {"physicalLocation": at.physical(step.location), "message": {"text": step.label}},
             "executionOrder": i + 1}
            for i, step in enumerate(f.flow)
        ]}]}]
    if f.details:
        result["properties"]["details"] = dict(f.details)
    if f.suppression is not None:
        result["suppressions"] = [_suppression(f.suppression)]
    return result


def _suppression(s: Suppression) -> dict[str, Any]:
    kind = "external" if s.kind is SuppressionKind.BASELINE else "inSource"
    return {"kind": kind, "status": "accepted", "justification": s.reason}


PATH_RULE_ID = "remit/attack-path"
_PATH_RULE: dict[str, Any] = {
    "id": PATH_RULE_ID,
    "name": "AttackPath",
    "shortDescription": {"text": "Attack path"},
    "fullDescription": {"text": "A chain of weaknesses from an attacker's starting point (the internet, an "
                                "authenticated user, another AWS account, a compromised dependency, an insider) "
                                "to a data store, secret, another function or the account's administrator."},
    "helpUri": f"{DOCS_URL}/attack-paths.md",
    "help": {"text": "Each step of the code flow is one hop, with the evidence that allows it. Breaking any hop "
                     "breaks the path: the cheapest fix is usually the first or the last one. "
                     f"See {DOCS_URL}/attack-paths.md",
             "markdown": "Each step of the code flow is one hop, with the evidence that allows it. Breaking any "
                         "hop breaks the path: the cheapest fix is usually the first or the last one.\n\n"
                         f"[Attack paths documentation]({DOCS_URL}/attack-paths.md)"},
    "defaultConfiguration": {"level": "error"},
    "properties": {"tags": ["security", "attack-path"], "security-severity": Severity.HIGH.score,
                   "precision": "medium", "problem.severity": "error"},
}


def _path_result(path: AttackPath, index: int, at: _Locator) -> dict[str, Any] | None:
    """An attack path as a result whose code flow is the path, each step at its evidence."""
    located = [(i, step) for i, step in enumerate(path.steps) if step.evidence is not None]
    if not located:
        return None
    steps = []
    for order, (i, step) in enumerate(located):
        assert step.evidence is not None
        steps.append({"location": {"physicalLocation": at.physical(step.evidence),
                                   "message": {"text": f"{i}. {step.kind} {step.resource}: {step.label}"}},
                      "executionOrder": order + 1,
                      **({"properties": {"deployed": step.deployed}} if step.deployed else {})})
    first = located[0][1].evidence
    assert first is not None
    return {
        "ruleId": PATH_RULE_ID,
        "ruleIndex": index,
        "level": _LEVEL[path.severity],
        "message": {"text": f"{path.summary} ({' -> '.join(s.resource for s in path.steps)})"},
        "locations": [{"physicalLocation": at.physical(first),
                       "logicalLocations": [{"name": path.steps[-1].resource, "kind": "resource"}]}],
        "partialFingerprints": {"remitFingerprint/v1": path.id},
        "codeFlows": [{"message": {"text": path.summary}, "threadFlows": [{"locations": steps}]}],
        "properties": {"severity": path.severity.value, "security-severity": path.severity.score,
                       "attack-path": path.id, "score": path.score},
        **({"suppressions": [_suppression(path.suppression)]} if path.suppression is not None else {}),
    }


def log(result: ScanResult, category: str = "") -> dict[str, Any]:
    """The SARIF log. ``category`` names this analysis among several of one repository (``--sarif-category``);
    empty: the scanned root's path in the repository."""
    at = _Locator(result)
    rules = list(result.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    path_results = [r for r in (_path_result(p, len(rules), at) for p in result.attack_paths) if r is not None]
    notifications = [
        {
            "level": _NOTIFICATION_LEVEL[d.level],
            "message": {"text": f"{d.message} [{d.code}]"},
            **({"locations": [{"physicalLocation": at.physical(SourceLocation(d.path, d.line or 1))}]}
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
                "informationUri": PROJECT_URL,
                "version": result.tool_version,
                "semanticVersion": result.tool_version,
                "rules": [_rule(r) for r in rules] + ([_PATH_RULE] if path_results else []),
            }},
            "automationDetails": {"id": automation_id(category or result.source_prefix)},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "results": [_result(f, index.get(f.rule_id, 0), at) for f in result.findings] + path_results,
            "columnKind": "unicodeCodePoints",
            # what the scan could not check, for whoever reads the log without the text report
            "properties": {"advisoriesUnchecked": result.advisories_unchecked,
                           "advisories": advisory_summary(result),
                           "inputsNotAnalysed": result.inputs_not_analysed,
                           "infrastructureNotRead": result.iac_not_read,
                           "unresolvedValues": result.unresolved_values,
                           "notChecked": list(blind_spots(result))},
        }],
    }


def render(result: ScanResult, category: str = "") -> str:
    return json.dumps(plain_strings(log(result, category)), indent=2, ensure_ascii=False) + "\n"
