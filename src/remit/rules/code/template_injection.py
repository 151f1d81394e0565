"""RMT-CODE-009."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ('the attacker runs template code on the server, which in Jinja2 reaches Python objects and '
          'code execution')

FIXES = {
    Language.PYTHON: ('Keep templates constant and pass event data as variables: '
                      'Template(FIXED).render(name=name). If users must write templates, use '
                      'jinja2.sandbox.SandboxedEnvironment.'),
    Language.JAVASCRIPT: ('Keep templates constant (files or literals compiled once) and pass event '
                          'data as the data argument: ejs.renderFile("invoice.ejs", {name}), '
                          'Handlebars.compile(FIXED)(context); never hand a string built from input '
                          'to lodash.template, ejs.render, pug.compile, Handlebars.compile or '
                          'nunjucks.renderString.'),
}


@rule(
    id="RMT-CODE-009",
    title='Event data is compiled as a server-side template',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("Template syntax in the event runs on the server: the sender reaches the language runtime, runs commands "
            "in the function and reads the role's temporary credentials from its environment."),
    remediation=remediation(FIXES),
    references=(
        'https://jinja.palletsprojects.com/en/stable/sandbox/',
        'https://cwe.mitre.org/data/definitions/1336.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-1336',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is the *source* of a server-side template.

    Python: ``jinja2.Template(text)``, ``Environment().from_string(text)``, ``render_template_string(text)``,
    Mako and Django templates. JavaScript: ``lodash.template``, ``ejs.render`` / ``compile``, ``pug.compile``
    / ``render``, Handlebars, Nunjucks ``renderString`` and doT. They compile what they get:
    ``{{ ''.__class__.__mro__[1].__subclasses__() }}`` walks to ``os`` in Jinja2, and an EJS or lodash
    template runs any JavaScript. Event data passed as *variables* to a constant template is not reported,
    nor a Jinja2 ``SandboxedEnvironment``.
    """
    yield from flow_hits(fn, an, SinkKind.TEMPLATE, Severity.HIGH, IMPACT, FIXES)
