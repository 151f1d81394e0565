"""RMT-CODE-011."""

from __future__ import annotations

from collections.abc import Iterator

from remit.code.facts import SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits

IMPACT = ("the attacker's script runs in the browser of whoever opens the crafted link, with their "
          'session')


@rule(
    id="RMT-CODE-011",
    title='Event data is returned in an HTML response unescaped',
    severity=Severity.MEDIUM,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    remediation=('Escape values with html.escape (or render with an autoescaping template) before '
                 'putting them in HTML, and return JSON where HTML is not needed.'),
    references=(
        'https://cwe.mitre.org/data/definitions/79.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-79',),
)
def check(fn: Function, app: Application) -> Iterator[Hit]:
    """Event data is written into an HTML response body without escaping.

    A handler that returns ``{"headers": {"Content-Type": "text/html"}, "body": f"<p>Hello {name}</p>"}``
    with ``name`` from the request reflects the sender's markup: a link with ``<script>`` in the parameter
    runs script in the victim's browser on the application's origin. ``html.escape`` / ``markupsafe.escape``
    and JSON responses are not reported.
    """
    yield from flow_hits(fn, app, SinkKind.XSS, Severity.MEDIUM, IMPACT)
