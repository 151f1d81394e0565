"""RMT-CODE-011."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ("the attacker's script runs in the browser of whoever opens the crafted link, with their "
          'session')

FIXES = {
    Language.PYTHON: ('Escape values with html.escape (or render with an autoescaping template, such '
                      'as Jinja2 with autoescape=True) before putting them in HTML, and return JSON '
                      'where HTML is not needed.'),
    Language.JAVASCRIPT: ('Escape every value written into HTML (escape-html, he.encode) or render '
                          'with an escaping template engine (Handlebars {{ }}, Nunjucks with '
                          'autoescape: true, EJS <%= %>), and return JSON with Content-Type '
                          'application/json where HTML is not needed.'),
}


@rule(
    id="RMT-CODE-011",
    title='Event data is returned in an HTML response unescaped',
    severity=Severity.MEDIUM,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("A link with script in the parameter runs that script in the victim's browser on the application's "
            "origin: it reads what the page shows, acts with the victim's session and takes the tokens the page can "
            "reach."),
    remediation=remediation(FIXES),
    references=(
        'https://cwe.mitre.org/data/definitions/79.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-79',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is written into an HTML response body without escaping.

    A handler that returns ``{"headers": {"Content-Type": "text/html"}, "body": f"<p>Hello {name}</p>"}``
    (or a JavaScript template literal) with ``name`` from the request reflects the sender's markup: a link
    with ``<script>`` in the parameter runs script in the victim's browser on the application's origin.
    Values escaped with ``html.escape`` / ``markupsafe.escape`` (Python) or escape-html / he / lodash
    ``escape`` / ``encodeURIComponent`` (JavaScript), and JSON responses, are not reported.
    """
    yield from flow_hits(fn, an, SinkKind.XSS, Severity.MEDIUM, IMPACT, FIXES)
