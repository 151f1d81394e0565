"""The JUnit XML report: the exact test cases of a small app, hostile strings, and well-formed XML.

The bundled example's whole report is a golden (tests/golden/orders-app.junit.xml, tests/test_reports.py)."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from functools import cache

from remit.api import scan
from remit.diagnostics import Diagnostic, Level
from remit.findings import AttackPath, PathStep, Severity
from remit.options import ScanOptions
from remit.report import Format, render
from remit.report.junit import xml_text
from remit.result import ScanResult
from remit.source import SourceLocation

from .conftest import FIXTURES

APP = FIXTURES / "cli" / "app"
RULES = ("RMT-LAMBDA-001", "RMT-LAMBDA-009", "RMT-API-001")  # fires (some suppressed), fires, finds nothing


@cache
def app_result() -> ScanResult:
    return scan([APP], ScanOptions(strict=True, select=RULES, source_root=FIXTURES / "cli"))


def parse(result: ScanResult) -> ET.Element:
    text = render(result, Format.JUNIT)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> list[tuple[str, str, str, str, str, str, str]]:
    """(suite, classname, name, file:line, outcome, its type, its message) for every test case, in order."""
    rows = []
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            outcome = next((c for c in case if c.tag in {"failure", "error", "skipped"}), None)
            where = f"{case.get('file')}:{case.get('line')}" if case.get("file") else ""
            rows.append((suite.get("name", ""), case.get("classname", ""), case.get("name", ""), where,
                         outcome.tag if outcome is not None else "passed",
                         outcome.get("type", "") if outcome is not None else "",
                         outcome.get("message", "") if outcome is not None else ""))
    return rows


def test_small_app_test_cases_exactly() -> None:
    root = parse(app_result())
    url = "on the internet can invoke the function with a request they control."
    assert cases(root) == [
        ("remit.API", "remit.API.RMT-API-001", "RMT-API-001 API route reachable without authentication", "",
         "passed", "", ""),
        ("remit.LAMBDA", "remit.LAMBDA.RMT-LAMBDA-001", "RMT-LAMBDA-001 OpenFunction", "app/template.yaml:17",
         "failure", "high", f"high: The function URL of OpenFunction has AuthType NONE: anyone {url}"),
        ("remit.LAMBDA", "remit.LAMBDA.RMT-LAMBDA-001", "RMT-LAMBDA-001 AcceptedFunction", "app/template.yaml:31",
         "skipped", "", "suppressed (resource): public webhook; the handler verifies the provider's signature"),
        ("remit.LAMBDA", "remit.LAMBDA.RMT-LAMBDA-001", "RMT-LAMBDA-001 TemplateSuppressed",
         "app/template.yaml:40", "skipped", "",
         "suppressed (template): internal load-test endpoint, torn down nightly"),
        ("remit.LAMBDA", "remit.LAMBDA.RMT-LAMBDA-001", "RMT-LAMBDA-001 NoReasonFunction", "app/template.yaml:53",
         "failure", "high", f"high: The function URL of NoReasonFunction has AuthType NONE: anyone {url}"),
        *[("remit.LAMBDA", "remit.LAMBDA.RMT-LAMBDA-009", f"RMT-LAMBDA-009 {fn}", f"app/template.yaml:{line}",
           "failure", "low", f"low: {fn} has no tracing configuration: X-Ray active tracing is off (PassThrough "
                             "by default), so its requests cannot be followed across services.")
          for fn, line in (("OpenFunction", 10), ("AcceptedFunction", 19), ("TemplateSuppressed", 33),
                           ("NoReasonFunction", 42))],
        ("remit.attack-paths", "remit.attack-paths", "no attack path found", "", "passed", "", ""),
        ("remit.diagnostics", "remit.diagnostics", "suppression-without-reason app/template.yaml:47",
         "app/template.yaml:47", "passed", "", ""),
    ]


def test_counts_on_suites_match_their_cases() -> None:
    root = parse(app_result())
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped"))
            for s in root.iter("testsuite")] == [
        ("remit.API", "1", "0", "0", "0"),
        ("remit.LAMBDA", "8", "6", "0", "2"),
        ("remit.attack-paths", "1", "0", "0", "0"),
        ("remit.diagnostics", "1", "0", "0", "0"),
    ]
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "testsuites", "11", "6", "0", "2")


def test_failure_body_carries_location_severity_and_fix() -> None:
    root = parse(app_result())
    failure = root.find("./testsuite[@name='remit.LAMBDA']/testcase[@name='RMT-LAMBDA-001 OpenFunction']/failure")
    assert failure is not None
    assert failure.text is not None
    lines = failure.text.splitlines()
    assert lines[:4] == ["RMT-LAMBDA-001 Function URL accepts unauthenticated requests", "severity: high",
                         "location: app/template.yaml:17", "resource: OpenFunction"]
    assert "remediation: Set the function URL's AuthType to AWS_IAM and sign requests, or put the function behind " \
           "an API with an authorizer. If the URL must be public (a webhook), verify a signature in the handler and " \
           "suppress this finding with the reason." in lines
    finding = next(f for f in app_result().findings if (f.rule_id, f.resource) == ("RMT-LAMBDA-001", "OpenFunction"))
    assert lines[-1] == f"fingerprint: {finding.fingerprint}"
    diagnostic = root.find("./testsuite[@name='remit.diagnostics']/testcase/system-out")
    assert diagnostic is not None
    assert diagnostic.text == ("warning: ignore of RMT-LAMBDA-001 has no reason: not applied "
                               "[suppression-without-reason]\n")


def test_attack_paths_and_error_diagnostics() -> None:
    step = PathStep("function", "OpenFunction", "runs", SourceLocation("template.yaml", 10, 3))
    path = AttackPath("AP-1", Severity.CRITICAL, "the internet can run OpenFunction",
                      (PathStep("attacker", "internet", "anyone"), step), score=9.0)
    error = Diagnostic("broken.yaml", Level.ERROR, "parse-error", "invalid YAML", 3)
    result = dataclasses.replace(app_result(), attack_paths=(path,), diagnostics=(error,))
    root = parse(result)
    rows = [row for row in cases(root) if row[0] in {"remit.attack-paths", "remit.diagnostics"}]
    assert rows == [
        ("remit.attack-paths", "remit.attack-paths", "AP-1 internet -> OpenFunction", "app/template.yaml:10",
         "failure", "critical", "critical: the internet can run OpenFunction"),
        ("remit.diagnostics", "remit.diagnostics", "parse-error app/broken.yaml:3", "app/broken.yaml:3",
         "error", "parse-error", "invalid YAML"),
    ]
    failure = root.find("./testsuite[@name='remit.attack-paths']/testcase/failure")
    assert failure is not None
    assert failure.text == ("the internet can run OpenFunction\nseverity: critical\nscore: 9.0\n\nsteps:\n"
                            "  0. attacker internet: anyone\n  1. function OpenFunction: runs (app/template.yaml:10)\n")


def test_hostile_strings_are_escaped_and_forbidden_characters_dropped() -> None:
    hostile = 'Fn<script>&"]]>\x00\x1b[2J\ud800\U0001f600'
    first = next(f for f in app_result().findings if (f.rule_id, f.resource) == ("RMT-LAMBDA-001", "OpenFunction"))
    finding = dataclasses.replace(first, resource=hostile, message=f"msg {hostile}")
    result = dataclasses.replace(app_result(), findings=(finding,))
    text = render(result, Format.JUNIT)
    assert "<script>" not in text
    assert "\x00" not in text
    assert "\x1b" not in text
    root = ET.fromstring(text.encode("utf-8"))  # well-formed
    kept = 'Fn<script>&"]]>[2J\U0001f600'
    names = [c.get("name") for c in root.iter("testcase") if c.get("classname") == "remit.LAMBDA.RMT-LAMBDA-001"]
    assert names == [f"RMT-LAMBDA-001 {kept}"]
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("message") == f"high: msg {kept}"


def test_xml_text_keeps_what_xml_allows() -> None:
    assert xml_text("a\tb\nc\rd\x0be\x7ff\ufffeg\U00010000") == "a\tb\nc\rde\x7ffg\U00010000"
