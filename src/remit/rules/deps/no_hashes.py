"""RMT-SUPPLY-007."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.deps.facts import SignKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.deps._common import sign_hits


@rule(
    id="RMT-SUPPLY-007",
    title="Pinned requirements carry no hashes",
    severity=Severity.LOW,
    category=Category.SUPPLY_CHAIN,
    responsibility=Responsibility.DEPENDENCIES,
    scope=Function,
    impact=("A replaced file on the package index, a mirror or a proxy installs unnoticed under the pinned version: "
            "only with hashes does pip refuse a file whose digest differs."),
    remediation=("Generate hashes (pip-compile --generate-hashes, or pip hash) and install with --require-hashes."),
    references=("CSA SAS-6 Insecure Third-Party Dependencies", "https://slsa.dev/spec/v1.0/threats"),
    cwe=("CWE-353",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A requirements file pins versions (or hashes some lines) but its requirements carry no ``--hash``.

    A pinned version names a release, not its content: a replaced file on the index or a mirror installs
    unnoticed. With hashes pip refuses any file whose digest differs. Reported once per file, at its first
    requirement without a hash."""
    yield from sign_hits(fn, an, SignKind.NO_HASHES)
