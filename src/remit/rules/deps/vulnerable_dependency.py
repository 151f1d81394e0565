"""RMT-DEP-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import match_hits


@rule(
    id="RMT-DEP-001",
    title="Shipped dependency has a known vulnerability",
    severity=Severity.HIGH,
    category=Category.VULNERABLE_DEPENDENCY,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("Published vulnerabilities come with public details and often with working exploits: an attacker who "
            "gets input to the vulnerable code through the function's events exploits a known flaw, with the "
            "function's role."),
    remediation="Upgrade the package to the fixed version the finding names (in the manifest and any lockfile), "
                "rebuild and redeploy the function.",
    references=("https://osv.dev", "CSA SAS-6 Insecure Third-Party Dependencies",
                "https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/"),
    cwe=("CWE-1395",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A package the function ships is at a version an advisory (OSV format) affects.

    The finding names the package, the installed version, the advisory id with its CVE / GHSA aliases, the
    CVSS vector and score where the advisory gives one, the first fixed version above the installed one and
    the manifest line. Every Lambda runtime's packages are checked (PyPI, npm, Maven, Go, NuGet, RubyGems),
    each in its ecosystem's own version ordering. Severity follows the CVSS base score (else the database's
    rating, else medium) and is lowered one level when the handler code never imports the package (import
    reachability from the code stage, Python and JavaScript); it is kept when the code imports it or when that
    is unknown. One finding per manifest line names every function shipping it (a layer's packages count for
    each function using the layer) and who imports the package. Withdrawn advisories and versions at or above
    the fix are not reported. Advisories come from the cache, refreshed daily by the scan itself (unless
    ``--offline``), from ``--advisories``, or from the OSV API with ``--online``; whatever could not be checked
    is said in the report's headline.
    """
    yield from match_hits(fn, an, malicious=False)
