"""RMT-CODE-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit.code.facts import SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits

IMPACT = ('the attacker reads or overwrites files outside the intended directory (../), including the'
          " function's code and /proc/self/environ with its credentials")


@rule(
    id="RMT-CODE-005",
    title='Event data chooses a file path',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    remediation=('Keep only the file name (os.path.basename) or check the resolved path starts with '
                 'the intended directory; better, map ids to paths the code chooses.'),
    references=(
        'https://cwe.mitre.org/data/definitions/22.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-22',),
)
def check(fn: Function, app: Application) -> Iterator[Hit]:
    """Event data becomes part of a file path the function opens, removes or copies.

    ``open``, ``os.remove``, ``shutil.*``, ``pathlib.Path.read_text`` and friends with a path built from an
    event field let the sender walk out of the intended directory with ``../``: ``/proc/self/environ`` holds
    the function role's credentials, ``/var/task`` its code. A value passed through ``os.path.basename`` or
    checked with ``startswith`` against the intended directory is not reported.
    """
    yield from flow_hits(fn, app, SinkKind.PATH, Severity.HIGH, IMPACT)
