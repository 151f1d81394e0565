"""RMT-SUPPLY-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.deps.facts import SignKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import sign_hits


@rule(
    id="RMT-SUPPLY-003",
    title="Shipped code executes an encoded payload",
    severity=Severity.HIGH,
    category=Category.SUPPLY_CHAIN,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("Code that decodes and runs a hidden payload is the mark of a malicious package: it runs inside the "
            "function with the role's credentials, encoded precisely to get past review."),
    remediation=("Find where the file came from, remove it and the package that brought it, and treat the "
                 "function's role and secrets as exposed."),
    references=("CSA SAS-6 Insecure Third-Party Dependencies", "https://slsa.dev/spec/v1.0/threats"),
    cwe=("CWE-506",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Code the function ships executes something it decodes at run time: ``exec(base64.b64decode(...))``,
    ``eval(Buffer.from(..., 'base64'))``, or a long encoded literal handed to ``exec`` / ``eval``.

    Legitimate code has no reason to hide what it runs; malicious packages do it to pass review. The check
    reads every Python and JavaScript file in the package directory, vendored packages included."""
    yield from sign_hits(fn, an, SignKind.OBFUSCATED)
