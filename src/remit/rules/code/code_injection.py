"""RMT-CODE-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ("the attacker runs code inside the function, with its role's credentials")

FIXES = {
    Language.PYTHON: ('Never evaluate event data as code. Parse data with json.loads or '
                      'ast.literal_eval, and map names to functions with a dictionary of allowed '
                      'operations.'),
    Language.JAVASCRIPT: ('Never pass event data to eval, new Function, vm.runIn* or a string '
                          'setTimeout. Parse data with JSON.parse and map names to functions with a '
                          'Map of allowed operations.'),
}


@rule(
    id="RMT-CODE-002",
    title='Event data reaches eval, exec or compile',
    severity=Severity.CRITICAL,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("Whoever sends the event runs code of their choice in the function, with the role's temporary "
            "credentials in its environment: every AWS API the role allows is theirs, and so are the function's code "
            "and data."),
    remediation=remediation(FIXES),
    references=(
        'https://docs.python.org/3/library/functions.html#eval',
        'https://cwe.mitre.org/data/definitions/95.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-95',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is evaluated as code.

    Python's ``eval``, ``exec`` and ``compile``, and JavaScript's ``eval``, ``new Function``, ``vm.runIn*`` /
    ``vm.Script`` and ``setTimeout`` / ``setInterval`` with a string, run any expression or statement. A
    calculator endpoint that evaluates a query parameter, or a rule engine that runs a message field, lets
    the sender import ``os`` (or ``require("child_process")``) and read the function's credentials from its
    environment, or call any AWS API its role allows.
    """
    yield from flow_hits(fn, an, SinkKind.CODE, Severity.CRITICAL, IMPACT, FIXES)
