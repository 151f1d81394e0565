"""The inventory a scan reports: what each function ships and which advisory matches still stand.

Built once by the composer (:func:`remit.api.scan`) from the dependency stage's facts and the findings, so the
SBOM renderer only reads it. A match whose finding the user suppressed (an ``ignore`` entry, a baseline, a
finding already there at ``--baseline-ref``) is kept apart in ``suppressed``: its package stays in the
inventory, the vulnerability is no longer claimed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from remit.deps.facts import DependencyFacts, Match, Package
from remit.findings import Finding
from remit.model.resources import ResourceId


@dataclass(frozen=True, slots=True)
class FunctionInventory:
    """The packages one function ships (its layers' included) and their advisory matches."""

    doc: str  # the document the function is declared in
    function: str  # its logical id
    manifests: tuple[str, ...]
    packages: tuple[Package, ...]
    matches: tuple[Match, ...] = ()  # not suppressed
    suppressed: tuple[Match, ...] = ()  # their finding is suppressed


@dataclass(frozen=True, slots=True)
class Inventory:
    """Every function with dependency facts, in the model's order."""

    functions: tuple[FunctionInventory, ...] = ()


EMPTY_INVENTORY = Inventory()


def _key(manifest: str, package: str, version: str, advisory: str) -> tuple[str, str, str, str]:
    return manifest, package, version, advisory


def _suppressed_keys(findings: Iterable[Finding]) -> frozenset[tuple[str, str, str, str]]:
    """What the suppressed advisory findings are about (the details every dependency match finding carries)."""
    keys = set()
    for f in findings:
        if not f.suppressed:
            continue
        details = dict(f.details)
        if "advisory" in details and "package" in details:
            keys.add(_key(details.get("manifest", ""), details["package"], details.get("version", ""),
                          details["advisory"]))
    return frozenset(keys)


def inventory(deps: DependencyFacts, functions: Iterable[ResourceId], findings: Iterable[Finding]) -> Inventory:
    """The inventory of ``functions`` (in order), with matches split by whether their finding in ``findings`` is
    suppressed."""
    hidden = _suppressed_keys(findings)
    out = []
    for function in functions:
        facts = deps.of(function)
        if facts is None:
            continue
        standing: list[Match] = []
        suppressed: list[Match] = []
        for m in facts.matches:
            p = m.package
            key = _key(str(p.manifest), p.name, p.version or "", m.advisory.id)
            (suppressed if key in hidden else standing).append(m)
        out.append(FunctionInventory(function.doc, function.logical_id, facts.manifests, facts.packages,
                                     tuple(standing), tuple(suppressed)))
    return Inventory(tuple(out))
