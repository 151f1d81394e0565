"""RMT-SUPPLY-006."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.deps.facts import SignKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import sign_hits


@rule(
    id="RMT-SUPPLY-006",
    title="Dependency comes from a git URL, an HTTP tarball or a local path",
    severity=Severity.MEDIUM,
    category=Category.SUPPLY_CHAIN,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("A moved branch or tag, a taken-over repository or a URL that serves something else tomorrow puts an "
            "attacker's code into the next build, outside the registry's immutable releases and its advisories."),
    remediation=("Depend on a released version from the registry; if a fork is needed, publish it or pin the git "
                 "URL to a full commit hash and vendor it."),
    references=("CSA SAS-6 Insecure Third-Party Dependencies", "https://slsa.dev/spec/v1.0/threats"),
    cwe=("CWE-494",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A dependency is installed from a git repository, an HTTP(S) archive or a local path instead of the package
    registry.

    Such sources bypass the registry's immutability and advisory coverage: a branch or tag can be moved, a URL
    can serve something else tomorrow, and no advisory database names the package."""
    yield from sign_hits(fn, an, SignKind.NON_REGISTRY)
