"""JUnit XML: the scan as a test report, for CI systems that show test results as they are (Jenkins, GitLab,
Azure DevOps, CircleCI).

The shape, the one those readers share::

    <testsuites name="remit" tests failures errors skipped>
      <testsuite name="remit.LAMBDA" ...>                       one per rule family, in catalog order
        <testcase classname="remit.LAMBDA.RMT-LAMBDA-001" name="RMT-LAMBDA-001 OrdersFunction"
                  file="infra/template.yaml" line="12">         one per finding
          <failure type="high" message="...">the finding: rule, location, resource, message, fix</failure>
        </testcase>
        <testcase ...><skipped message="suppressed (resource): reason"/></testcase>     a suppressed finding
        <testcase classname="remit.LAMBDA.RMT-LAMBDA-002" name="RMT-LAMBDA-002 <title>"/>  a rule that ran clean
      </testsuite>
      <testsuite name="remit.attack-paths">                     one failing test case per attack path
      <testsuite name="remit.diagnostics">                      when there are diagnostics: an error is <error>
    </testsuites>

Test case names are stable across runs (rule id and the author's resource; the fingerprint's first characters
when one rule fires more than once on one resource), so dashboards follow a finding from build to build. Paths
are relative to the repository root, like SARIF's. Every string goes through ElementTree, which escapes it,
after the characters XML 1.0 cannot carry (control characters, lone surrogates) are removed: names and
messages come from the scanned templates. No time, host name or absolute path is written.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable

from remit.diagnostics import Diagnostic, Level
from remit.findings import AttackPath, Finding
from remit.result import ScanResult
from remit.source import SourceLocation

SUITE_PREFIX = "remit"
PATHS_SUITE = f"{SUITE_PREFIX}.attack-paths"
DIAGNOSTICS_SUITE = f"{SUITE_PREFIX}.diagnostics"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (they cannot be escaped, only dropped)."""
    return _NOT_XML.sub("", text)


def _family(rule_id: str) -> str:
    parts = rule_id.split("-")
    return parts[1] if len(parts) >= 3 else rule_id


class _Suite:
    def __init__(self, name: str) -> None:
        self.element = ET.Element("testsuite", name=xml_text(name))
        self.counts: Counter[str] = Counter()

    def case(self, classname: str, name: str, location: tuple[str, int] | None = None) -> ET.Element:
        attributes = {"classname": xml_text(classname), "name": xml_text(name)}
        if location is not None:
            attributes["file"] = xml_text(location[0])
            attributes["line"] = str(location[1])
        self.counts["tests"] += 1
        return ET.SubElement(self.element, "testcase", attributes)

    def outcome(self, case: ET.Element, tag: str, message: str, kind: str, body: str) -> None:
        """A ``failure``, ``error`` or ``skipped`` child of ``case``."""
        attributes = {"message": xml_text(message)} | ({"type": xml_text(kind)} if kind else {})
        child = ET.SubElement(case, tag, attributes)
        child.text = xml_text(body)
        self.counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1

    def close(self) -> ET.Element:
        for key in ("tests", "failures", "errors", "skipped"):
            self.element.set(key, str(self.counts[key]))
        return self.element


def _where(result: ScanResult, loc: SourceLocation) -> str:
    return f"{result.source_path(loc.path)}:{loc.line}" if loc.line else result.source_path(loc.path)


def _finding_body(result: ScanResult, f: Finding) -> str:
    lines = [
        f"{f.rule_id} {f.title}",
        f"severity: {f.severity.value}",
        f"location: {_where(result, f.location)}",
        f"resource: {f.resource}" + (f" ({f.construct})" if f.construct else ""),
        "",
        f.message,
        "",
        f"remediation: {f.remediation}",
    ]
    if f.flow:
        lines += ["", "flow:", *(f"  {_where(result, step.location)} {step.label}" for step in f.flow)]
    if f.references:
        lines += ["", "references:", *(f"  {ref}" for ref in f.references)]
    if f.suppression is not None:
        lines += ["", f"suppressed ({f.suppression.kind.value}): {f.suppression.reason}"]
    lines += ["", f"fingerprint: {f.fingerprint}"]
    return "\n".join(lines) + "\n"


def _finding_names(findings: Iterable[Finding]) -> dict[Finding, str]:
    """``RULE-ID resource``, with the fingerprint's start when a rule fires more than once on a resource."""
    findings = list(findings)
    repeated = Counter((f.rule_id, f.resource) for f in findings)
    return {f: f"{f.rule_id} {f.resource}" + (f" [{f.fingerprint[:8]}]" if repeated[f.rule_id, f.resource] > 1
                                              else "")
            for f in findings}


def _rule_suites(result: ScanResult) -> list[ET.Element]:
    titles = {r.id: r.title for r in result.rules}
    by_rule: dict[str, list[Finding]] = {r.id: [] for r in result.rules}
    for f in sorted(result.findings, key=Finding.sort_key):
        by_rule.setdefault(f.rule_id, []).append(f)
    names = _finding_names(result.findings)
    suites: dict[str, _Suite] = {}
    for rule_id, findings in by_rule.items():
        family = _family(rule_id)
        suite = suites.setdefault(family, _Suite(f"{SUITE_PREFIX}.{family}"))
        classname = f"{SUITE_PREFIX}.{family}.{rule_id}"
        if not findings:
            suite.case(classname, f"{rule_id} {titles.get(rule_id, '')}".rstrip())
            continue
        for f in findings:
            case = suite.case(classname, names[f], (result.source_path(f.location.path), f.location.line))
            body = _finding_body(result, f)
            if f.suppression is not None:
                suite.outcome(case, "skipped", f"suppressed ({f.suppression.kind.value}): {f.suppression.reason}",
                              "", body)
            else:
                suite.outcome(case, "failure", f"{f.severity.value}: {f.message}", f.severity.value, body)
    return [suite.close() for suite in suites.values()]


def _path_body(result: ScanResult, path: AttackPath) -> str:
    lines = [path.summary, f"severity: {path.severity.value}", f"score: {path.score}", "", "steps:"]
    for i, step in enumerate(path.steps):
        at = f" ({_where(result, step.evidence)})" if step.evidence is not None else ""
        lines.append(f"  {i}. {step.kind} {step.resource}: {step.label}{at}")
    return "\n".join(lines) + "\n"


def _paths_suite(result: ScanResult) -> ET.Element:
    suite = _Suite(PATHS_SUITE)
    if not result.attack_paths:
        suite.case(PATHS_SUITE, "no attack path found")
    for path in result.attack_paths:
        first = next((s.evidence for s in path.steps if s.evidence is not None), None)
        location = (result.source_path(first.path), first.line) if first is not None else None
        case = suite.case(PATHS_SUITE, f"{path.id} {' -> '.join(s.resource for s in path.steps)}", location)
        if path.suppression is not None:
            suite.outcome(case, "skipped", f"suppressed ({path.suppression.kind.value}): {path.suppression.reason}",
                          "", "")
            continue
        suite.outcome(case, "failure", f"{path.severity.value}: {path.summary}", path.severity.value,
                      _path_body(result, path))
    return suite.close()


def _diagnostics_suite(diagnostics: Iterable[Diagnostic], result: ScanResult) -> ET.Element:
    suite = _Suite(DIAGNOSTICS_SUITE)
    for d in diagnostics:
        path = result.source_path(d.path) if d.path else ""
        where = f"{path}:{d.line}" if path and d.line else (path or "remit")
        case = suite.case(DIAGNOSTICS_SUITE, f"{d.code} {where}", (path, d.line or 1) if path else None)
        text = f"{d.level.value}: {d.message} [{d.code}]"
        if d.level is Level.ERROR:
            suite.outcome(case, "error", d.message, d.code, text + "\n")
        else:
            ET.SubElement(case, "system-out").text = xml_text(text + "\n")
    return suite.close()


def report(result: ScanResult) -> ET.Element:
    root = ET.Element("testsuites", name=SUITE_PREFIX)
    suites = [*_rule_suites(result), _paths_suite(result)]
    if result.diagnostics:
        suites.append(_diagnostics_suite(result.diagnostics, result))
    root.extend(suites)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    return root


def render(result: ScanResult) -> str:
    root = report(result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
