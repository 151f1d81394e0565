"""RMT-CODE-010."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ('the attacker sends users of the application to a site of their choosing, under the '
          "application's own link")

FIXES = {
    Language.PYTHON: ('Redirect only to relative paths or hosts on an allow-list: '
                      'urllib.parse.urlsplit the target and compare its scheme and host, not a prefix '
                      'of the string.'),
    Language.JAVASCRIPT: ('Redirect only to relative paths or hosts on an allow-list: parse with new '
                          'URL(target, BASE) and compare url.origin with the allowed origins, not a '
                          'prefix of the string.'),
}


@rule(
    id="RMT-CODE-010",
    title='Event data chooses a redirect target',
    severity=Severity.MEDIUM,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("Anyone can craft a link on the application's own domain that lands on their phishing page, trusted "
            "because of the domain; in a login or OAuth flow it hands them sessions and authorization codes."),
    remediation=remediation(FIXES),
    references=(
        'https://cwe.mitre.org/data/definitions/601.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-601',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is the ``Location`` of a redirect response.

    A Lambda proxy response ``{"statusCode": 302, "headers": {"Location": url}}`` (or Flask / Django
    ``redirect`` in Python, ``res.redirect`` / ``setHeader("Location", ...)`` in JavaScript) with ``url`` from a query
    parameter lets anyone craft a link on the application's domain that lands on their phishing page — a
    classic step in stealing sessions and OAuth codes. A target that starts with a fixed scheme and host, or
    passes an allow-list check, is not reported.
    """
    yield from flow_hits(fn, an, SinkKind.REDIRECT, Severity.MEDIUM, IMPACT, FIXES)
