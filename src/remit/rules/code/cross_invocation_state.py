"""RMT-CODE-015."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import IssueKind, Language
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import issue_hits, remediation

FIXES = {
    Language.PYTHON: ('Keep per-request data in local variables. Cache only data that is the same for '
                      'every caller (configuration, clients); write temporary files under a fresh '
                      'directory (tempfile.TemporaryDirectory) and delete them before returning.'),
    Language.JAVASCRIPT: ('Keep per-request data in variables inside the handler. Cache at module '
                          'scope only data that is the same for every caller (configuration, SDK '
                          'clients); write temporary files under a fresh directory '
                          '(fs.mkdtemp(path.join(os.tmpdir(), "req-"))) and remove it before '
                          'returning.'),
}


@rule(
    id="RMT-CODE-015",
    title="Event data kept across invocations",
    severity=Severity.MEDIUM,
    category=Category.CROSS_EXECUTION_PERSISTENCE,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("The next caller served by the same warm execution environment sees what an earlier invocation left: "
            "another user's data leaks, or a malicious event plants a value or file that later requests trust."),
    remediation=remediation(FIXES),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
        "CSA SAS-12 Improper Handling of Cross-Execution Data Persistency",
    ),
    cwe=("CWE-488",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is written where the next invocation will find it.

    Lambda reuses execution environments: module-level variables and files under ``/tmp`` survive from one
    invocation to the next, which may serve another user. remit reports event data (Python or JavaScript)
    stored into a module-level dict / list / set / ``Map`` / array (``CACHE[key] = ...``, ``.append`` /
    ``.push`` / ``.set``), assigned to a ``global`` or module-level variable, or written to a file under
    ``/tmp`` (or downloaded there under a name the event chooses). The next caller can read another user's
    data, or find files planted by an earlier, malicious event.
    """
    yield from issue_hits(fn, an, IssueKind.PERSISTENCE, Severity.MEDIUM, fixes=FIXES)
