"""RMT-SUPPLY-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.deps.facts import SignKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import sign_hits


@rule(
    id="RMT-SUPPLY-001",
    title="Dependency name imitates a popular package",
    severity=Severity.HIGH,
    category=Category.SUPPLY_CHAIN,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("A typosquatted package installs an attacker's code under a name one slip away from the real one: it "
            "runs on the build machine at install time and inside the function at run time, with the function's "
            "credentials."),
    remediation=("Check the name against the package you meant; remove the look-alike and rotate any secret the "
                 "function held while it was deployed."),
    references=("CSA SAS-6 Insecure Third-Party Dependencies", "https://slsa.dev/spec/v1.0/threats"),
    cwe=("CWE-1357",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A declared package is one edit, one swap of adjacent letters or one separator away from a popular package.

    Typosquatting packages (``reqeusts``, ``python3-dateutil``, ``crossenv``) install an attacker's code
    under a name a hurried developer types by mistake. remit compares direct dependencies with its own list of
    popular PyPI and npm names (``data/popular_*.txt``, which says where it comes from); names shorter than five
    characters are not judged."""
    yield from sign_hits(fn, an, SignKind.TYPOSQUAT)
