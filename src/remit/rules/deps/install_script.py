"""RMT-SUPPLY-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.deps.facts import SignKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import sign_hits


@rule(
    id="RMT-SUPPLY-002",
    title="Shipped package runs code at install time",
    severity=Severity.MEDIUM,
    category=Category.SUPPLY_CHAIN,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("Install scripts run on the build machine before anyone reviews them, with whatever credentials it holds "
            "(often deploy credentials): the usual payload of a compromised package."),
    remediation=("Install with npm ci --ignore-scripts where the package works without its script; review the "
                 "script, pin the package and vendor a reviewed copy."),
    references=("CSA SAS-6 Insecure Third-Party Dependencies", "https://slsa.dev/spec/v1.0/threats"),
    cwe=("CWE-829",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """An npm package the function ships declares a ``preinstall``, ``install`` or ``postinstall`` script, or a
    vendored ``setup.py`` reaches the network or starts processes.

    Install-time code runs on the build machine with its credentials (often deploy credentials) before any
    review; it is the usual payload of compromised packages (event-stream, ua-parser-js)."""
    yield from sign_hits(fn, an, SignKind.INSTALL_SCRIPT)
