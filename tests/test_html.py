"""The HTML report without a browser: self-contained, offline, and inert whatever the scanned app contains.

The browser checks (the graph renders, filters work, hostile strings do not run) are in test_html_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from remit.api import scan
from remit.findings import (
    AttackPath,
    Category,
    Finding,
    FlowStep,
    PathStep,
    Responsibility,
    Severity,
)
from remit.graph import GraphResult
from remit.graph.model import AttackGraph, Edge, EdgeKind, Node, NodeKind
from remit.options import ScanOptions
from remit.report import Format, render
from remit.result import ScanResult
from remit.source import SourceLocation

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "orders-app"

# strings an attacker could plant in resource names, paths, code snippets or advisory text
HOSTILE = (
    '<script>window.__pwned = 1</script>',
    '"><img src=x onerror="window.__pwned=2">',
    "'><svg onload=window.__pwned=3>",
    '</title></style></script><script>window.__pwned=4</script>',
    'javascript:window.__pwned=5',
    '{{ 7*7 }} {% raw %} ${7*7}',
    '<iframe src="data:text/html,<script>parent.__pwned=6</script>"></iframe>',
    "arn:aws:s3:::" + "averylongunbrokenbucketname" * 14,  # must wrap, not widen the page
)
MARKER = "remit-hostile-marker"


@cache
def example() -> ScanResult:
    return scan([EXAMPLE], ScanOptions(strict=True))


def hostile_result() -> ScanResult:
    """A result whose every free-text field carries markup, as a hostile template or package could make it."""
    base = example()
    evil = " ".join(HOSTILE)
    loc = SourceLocation(f"src/{HOSTILE[1]}/app.py", 3, 1)
    findings = tuple(
        Finding(rule_id="RMT-CODE-001", title=f"{MARKER} {h}", severity=sev, category=Category.EVENT_INJECTION,
                responsibility=Responsibility.CODE, resource=h, location=loc, message=f"{MARKER} {h} {evil}",
                remediation=h, references=(h,), fingerprint=f"{i:032x}",
                flow=(FlowStep(loc, h), FlowStep(loc, evil)), details=(("advisory", h),))
        for i, (h, sev) in enumerate(zip(HOSTILE, list(Severity) * 3, strict=False))
    )
    nodes = {
        "start:internet": Node("start:internet", NodeKind.ATTACKER, "internet", HOSTILE[0]),
        "entry:x": Node("entry:x", NodeKind.ENTRY, HOSTILE[1], HOSTILE[2]),
        "fn:x": Node("fn:x", NodeKind.FUNCTION, HOSTILE[3], HOSTILE[4]),
        "store:x": Node("store:x", NodeKind.DATA, HOSTILE[6], HOSTILE[5]),
    }
    edges = (Edge("start:internet", "entry:x", EdgeKind.REACHES, HOSTILE[0], 1.0),
             Edge("entry:x", "fn:x", EdgeKind.TRIGGERS, HOSTILE[1], 0.9),
             Edge("fn:x", "store:x", EdgeKind.READ, HOSTILE[2], 1.0, 9.0))
    path = AttackPath("AP-0123456789ab", Severity.CRITICAL, f"{MARKER} {evil}",
                      (PathStep("attacker", "internet", HOSTILE[0]),
                       PathStep("entry", HOSTILE[1], HOSTILE[2], loc),
                       PathStep("function", HOSTILE[3], HOSTILE[4], loc),
                       PathStep("data", HOSTILE[6], HOSTILE[5], loc)), 8.1)
    graph = GraphResult(AttackGraph(nodes, edges), (path,),
                        {path.id: ("start:internet", "entry:x", "fn:x", "store:x")})
    return ScanResult(base.root, base.documents, findings, base.diagnostics, base.rules, base.fail_on,
                      attack_paths=(path,), graph=graph)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text.append(data)


def _parse(page: str) -> _Collector:
    parser = _Collector()
    parser.feed(page)
    return parser


def test_hostile_strings_stay_text() -> None:
    page = render(hostile_result(), Format.HTML)
    parsed = _parse(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("script") == 1, "only remit's own script"
    for forbidden in ("img", "iframe", "object", "embed", "base", "link"):
        assert forbidden not in tags
    assert "svg" in tags  # the graph, drawn by remit
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
    assert "window.__pwned" not in "".join(parsed.script_text)
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page  # shown, escaped
    assert MARKER in page


def test_script_is_allowed_only_by_its_hash() -> None:
    page = render(example(), Format.HTML)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = csp.group(1).replace("&#39;", "'")
    assert "default-src 'none'" in policy
    script = _parse(page).script_text
    digest = base64.b64encode(hashlib.sha256("".join(script).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_report_is_self_contained() -> None:
    page = render(example(), Format.HTML)
    for tag, attrs in _parse(page).tags:
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                raise AssertionError(f"<{tag} {name}={value!r}> loads something from outside the page")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://cdn" not in page


def test_summary_and_filters_are_there() -> None:
    page = render(example(), Format.HTML)
    for resp in Responsibility:
        assert f'data-value="{resp.value}"' in page
    for cat in Category:
        assert cat.sas in page
    assert 'id="f-q"' in page
    assert 'name="sev"' in page
    assert page.count('class="finding ') == len(example().findings)


def test_empty_app_renders(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    page = render(scan([tmp_path], ScanOptions(strict=True)), Format.HTML)
    assert 'id="no-paths"' in page


def test_hostile_template_end_to_end(tmp_path: Path) -> None:
    """Markup written into a template (route paths, names, tags) reaches the report only as text."""
    (tmp_path / "template.yaml").write_text(
        'Transform: AWS::Serverless-2016-10-31\n'
        'Resources:\n'
        '  Fn:\n'
        '    Type: AWS::Serverless::Function\n'
        '    Properties:\n'
        '      Runtime: python3.12\n'
        '      Handler: app.handler\n'
        '      InlineCode: "def handler(e, c): pass"\n'
        '      Environment:\n'
        '        Variables:\n'
        '          "API_KEY_</script><script>window.__pwned=1</script>": sk_live_51HqLx2eZvKYlo2C8fHk3jQpW0bM4rTn7\n'
        '      Events:\n'
        '        Get:\n'
        '          Type: Api\n'
        '          Properties:\n'
        '            Path: "/x/<img src=x onerror=window.__pwned=2>"\n'
        '            Method: get\n'
        '      FunctionUrlConfig:\n'
        '        AuthType: NONE\n')
    result = scan([tmp_path], ScanOptions(strict=True))
    assert result.findings
    page = render(result, Format.HTML)
    parsed = _parse(page)
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert "img" not in [t for t, _ in parsed.tags]
    assert all(not name.startswith("on") for _, attrs in parsed.tags for name, _ in attrs)
    assert "<img" not in render(result, Format.MERMAID)  # entity codes, so Mermaid renders no markup
    for row in render(result, Format.DOT).splitlines()[4:-1]:  # every attribute value quoted and closed
        assert re.fullmatch(r'  n\d+( -> n\d+)? \[(\w+=("(\\.|[^"\\])*"|\w+)(, )?)+\];', row), row


def test_blind_spots_are_a_banner_and_sarif_run_properties() -> None:
    """What the scan could not check is loud everywhere: a banner in HTML, run properties in SARIF."""
    import dataclasses
    import json

    from remit.api import scan
    from remit.deps.facts import AdvisorySource, SourceKind
    from remit.options import ScanOptions
    from remit.report import Format, render

    result = scan([ROOT / "examples" / "orders-app"], ScanOptions())
    assert result.application is not None
    unchecked = dataclasses.replace(result, analysis=dataclasses.replace(
        result.analysis, deps=dataclasses.replace(result.analysis.deps, source=AdvisorySource(SourceKind.NONE))))
    assert 'id="advisories-unchecked"' in render(unchecked, Format.HTML)
    run = json.loads(render(unchecked, Format.SARIF))["runs"][0]
    assert run["properties"]["advisoriesUnchecked"] is True
    assert run["properties"]["inputsNotAnalysed"] == 0
    assert run["properties"]["advisories"]["checked"] is False
    checked = dataclasses.replace(result, analysis=dataclasses.replace(
        result.analysis, deps=dataclasses.replace(result.analysis.deps,
                                                     source=AdvisorySource(SourceKind.DIRECTORY, "x", 1))))
    assert 'id="advisories-unchecked"' not in render(checked, Format.HTML)
