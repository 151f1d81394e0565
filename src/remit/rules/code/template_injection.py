"""RMT-CODE-009."""

from __future__ import annotations

from collections.abc import Iterator

from remit.code.facts import SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits

IMPACT = ('the attacker runs template code on the server, which in Jinja2 reaches Python objects and '
          'code execution')


@rule(
    id="RMT-CODE-009",
    title='Event data is compiled as a server-side template',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    remediation=('Keep templates constant and pass event data as variables: '
                 'Template(FIXED).render(name=name). If users must write templates, use '
                 'jinja2.sandbox.SandboxedEnvironment.'),
    references=(
        'https://jinja.palletsprojects.com/en/stable/sandbox/',
        'https://cwe.mitre.org/data/definitions/1336.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-1336',),
)
def check(fn: Function, app: Application) -> Iterator[Hit]:
    """Event data is the *source* of a Jinja2, Mako or Django template.

    ``jinja2.Template(text)``, ``Environment().from_string(text)`` and ``render_template_string(text)``
    compile what they get: ``{{ ''.__class__.__mro__[1].__subclasses__() }}`` walks to ``os`` and runs
    commands. Event data passed as *variables* to a constant template is not reported, nor a
    ``SandboxedEnvironment``.
    """
    yield from flow_hits(fn, app, SinkKind.TEMPLATE, Severity.HIGH, IMPACT)
