"""RMT-CODE-008."""

from __future__ import annotations

from collections.abc import Iterator

from remit.code.facts import SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits

IMPACT = ("the attacker reads local files (the function's code, /proc/self/environ) or makes the "
          'parser fetch URLs')


@rule(
    id="RMT-CODE-008",
    title='Event data is parsed as XML with external entities',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    remediation=('Parse with defusedxml, or create the lxml parser with resolve_entities=False and '
                 'no_network=True.'),
    references=(
        'https://lxml.de/FAQ.html#how-do-i-use-lxml-safely-as-a-web-service-endpoint',
        'https://cwe.mitre.org/data/definitions/611.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-611',),
)
def check(fn: Function, app: Application) -> Iterator[Hit]:
    """Event data is parsed by an XML parser that resolves external entities.

    lxml's ``fromstring`` / ``XML`` / ``parse`` with the default parser (before lxml 5.0) or with
    ``XMLParser(resolve_entities=True)`` / ``no_network=False``, and ``xmltodict.parse(...,
    disable_entities=False)``, expand ``<!ENTITY x SYSTEM "file:///proc/self/environ">``: the document's sender
    reads files or reaches URLs through the parser. ``defusedxml`` and ``xml.etree.ElementTree`` do not
    resolve external entities and are not reported.
    """
    yield from flow_hits(fn, app, SinkKind.XXE, Severity.HIGH, IMPACT)
