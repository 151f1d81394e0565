"""RMT-SUPPLY-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.deps.facts import SignKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import sign_hits


@rule(
    id="RMT-SUPPLY-005",
    title="Direct dependency is not pinned and there is no lockfile",
    severity=Severity.LOW,
    category=Category.SUPPLY_CHAIN,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("Each build may ship whatever release is newest: a compromised or vulnerable release published tomorrow "
            "reaches production at the next deployment, with no change for anyone to review."),
    remediation=("Pin exact versions (==, or an exact npm version) or commit a lockfile (poetry.lock, uv.lock, "
                 "package-lock.json...) and build from it."),
    references=("CSA SAS-6 Insecure Third-Party Dependencies", "https://slsa.dev/spec/v1.0/threats"),
    cwe=("CWE-1104",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A direct dependency is declared with a range (``>=2.0``, ``^4.17.0``) or no version, and the package
    directory has no lockfile and no vendored copy that would fix what ships.

    Each build may then ship a different release: a compromised or vulnerable release published tomorrow
    reaches production at the next deployment, and advisories cannot be matched to a version."""
    yield from sign_hits(fn, an, SignKind.UNPINNED)
