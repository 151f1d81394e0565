"""RMT-CODE-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ('the attacker reads or overwrites files outside the intended directory (../), including the'
          " function's code and /proc/self/environ with its credentials")

FIXES = {
    Language.PYTHON: ('Keep only the file name (os.path.basename) and check the resolved path stays '
                      'in the intended directory (os.path.realpath(p).startswith(BASE + os.sep)); '
                      'better, map ids to paths the code chooses.'),
    Language.JAVASCRIPT: ('Keep only the file name (path.basename(name)), resolve it against the '
                          'intended directory and check the result stays inside it '
                          '(path.resolve(BASE, name).startsWith(BASE + path.sep)); better, map ids to '
                          'paths the code chooses.'),
}


@rule(
    id="RMT-CODE-005",
    title='Event data chooses a file path',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("The sender reads, overwrites or deletes files outside the intended directory: `/proc/self/environ` "
            "hands them the role's temporary credentials, `/var/task` the function's code, `/tmp` what earlier "
            "invocations left."),
    remediation=remediation(FIXES),
    references=(
        'https://cwe.mitre.org/data/definitions/22.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-22',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data becomes part of a file path the function opens, removes or copies.

    Python's ``open``, ``os.remove``, ``shutil.*``, ``pathlib.Path.read_text`` and friends, and JavaScript's
    ``fs.*``, ``fs/promises`` and fs-extra, with a path built from an event field let the sender walk out of
    the intended directory with ``../``: ``/proc/self/environ`` holds the function role's credentials,
    ``/var/task`` its code. A value passed through ``os.path.basename`` / ``path.basename`` or checked with
    ``startswith`` / ``startsWith`` against the intended directory is not reported.
    """
    yield from flow_hits(fn, an, SinkKind.PATH, Severity.HIGH, IMPACT, FIXES)
