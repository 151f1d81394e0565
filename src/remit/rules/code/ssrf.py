"""RMT-CODE-006."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ("the attacker makes the function call internal endpoints or any host, with the function's "
          'network position and data')

FIXES = {
    Language.PYTHON: ('Send requests only to hosts on an allow-list (urllib.parse.urlsplit the URL '
                      'and compare its scheme and host), or build the URL from a fixed base and a '
                      'quoted path segment (urllib.parse.quote).'),
    Language.JAVASCRIPT: ('Parse the URL with new URL(value) and call fetch / axios / got / http.get '
                          'only when url.protocol is "https:" and url.hostname is in a Set of allowed '
                          'hosts, or build the URL from a fixed base and encodeURIComponent(segment).'),
}


@rule(
    id="RMT-CODE-006",
    title='Event data chooses where the function sends a request',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("The sender makes the function request a URL of their choice: endpoints only the function can reach "
            "(inside its VPC, private APIs), or their own server, which then receives whatever the function sends, "
            "authentication headers included."),
    remediation=remediation(FIXES),
    references=(
        'https://cwe.mitre.org/data/definitions/918.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-918',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is the URL (or host) of an outgoing HTTP request.

    ``requests``, ``httpx``, ``urllib`` and ``urllib3`` in Python, ``fetch``, node-fetch, axios, got,
    ``http(s).get`` / ``request``, superagent, needle and undici in JavaScript fetch what they are given. A
    callback URL, webhook or "image to import" taken from an event lets the sender aim the function at
    services only it can reach (a VPC's internal endpoints, other functions' URLs) or at their own server,
    which then receives the data the function sends — headers with API keys included. A URL whose scheme and
    host are fixed text in front of the event data (or a base URL the deployment configures) is not
    reported.
    """
    yield from flow_hits(fn, an, SinkKind.SSRF, Severity.HIGH, IMPACT, FIXES)
