"""RMT-SUPPLY-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import match_hits


@rule(
    id="RMT-SUPPLY-004",
    title="Shipped package is known malware",
    severity=Severity.CRITICAL,
    category=Category.SUPPLY_CHAIN,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("The package was published to steal data or run an attacker's code: it does so in every build and every "
            "invocation, with access to the function's environment and its role's credentials."),
    remediation="Remove the package, rebuild from a clean environment, and rotate every credential the function "
                "or the build machine could read while it was installed.",
    references=("https://github.com/ossf/malicious-packages", "CSA SAS-6 Insecure Third-Party Dependencies"),
    cwe=("CWE-506",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A package the function ships has an OSV ``MAL-`` record: it was published to steal data or run an
    attacker's code.

    Malicious-package reports (OpenSSF malicious-packages, in OSV as ``MAL-`` ids) are matched like other
    advisories but reported on their own: there is no fixed version, only removal.
    """
    yield from match_hits(fn, an, malicious=True)
