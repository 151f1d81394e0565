"""RMT-CODE-014."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import IssueKind, Language
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import issue_hits, remediation

FIXES = {
    Language.PYTHON: ('Log the exception (logger.exception) with a request id and return a generic '
                      'error with that id; never put str(exc), repr(exc) or a traceback in the '
                      'response.'),
    Language.JAVASCRIPT: ('Log the error (console.error(err) with the request id) and return a '
                          'generic error with that id; never put err.message, err.stack or '
                          'String(err) in the response or in callback(null, ...).'),
}


@rule(
    id="RMT-CODE-014",
    title="Exception details returned to the caller",
    severity=Severity.MEDIUM,
    category=Category.ERROR_HANDLING,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("Error messages hand the caller a map of the internals (file paths, library versions, table and bucket "
            "names, fragments of queries and data) that makes the next attack precise."),
    remediation=remediation(FIXES),
    references=(
        "https://cwe.mitre.org/data/definitions/209.html",
        "CSA SAS-10 Improper Exception Handling and Verbose Error Messages",
    ),
    cwe=("CWE-209",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """The handler returns exception text or a stack trace to whoever invoked it.

    remit follows the exception bound by ``except ... as exc`` (and ``traceback.format_exc()``) in Python, or
    by ``catch (err)`` in JavaScript, through variables, objects and helper functions; when it reaches the
    handler's return value (or ``callback(null, ...)``) and the function is invoked synchronously (an API
    route, a function URL, a direct invocation), the finding points at the handler's ``return``. Wrappers of the
    package count, in this module or another: the ``return`` of ``with_errors(handler)`` / ``@with_errors`` /
    ``withErrors(async (event) => ...)`` in its ``except`` / ``catch``, and what a middy middleware's
    ``onError`` writes to ``request.response`` from ``request.error``; one finding there lists every function
    it wraps. Error messages carry file paths, library versions, table and bucket names and sometimes the data
    being processed: a map for the next request. Logging the exception is not reported; neither is a function
    whose triggers are all asynchronous (nobody reads its return value).
    """
    yield from issue_hits(fn, an, IssueKind.ERROR_LEAK, Severity.MEDIUM, fixes=FIXES)
