"""RMT-CODE-008."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.deps.facts import Ecosystem
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, lowered_once, remediation

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

DEFAULT_PARSER = "with the default parser"  # how the Python analysis names lxml's default entity handling
SAFE_SINCE = 5  # lxml 5.0.0 (2023-12-29): resolve_entities defaults to "internal" (LP#1742885)

IMPACT = ("the attacker reads local files (the function's code, /proc/self/environ) or makes the "
          'parser fetch URLs')

FIXES = {
    Language.PYTHON: ('Parse with defusedxml, or give lxml a parser made with resolve_entities=False '
                      'and no_network=True; ship lxml 5.0 or later (it no longer loads external '
                      'entities by default) and never pass resolve_entities=True.'),
    Language.JAVASCRIPT: ('Parse with libxmljs without noent: true (entity substitution off, nonet '
                          'kept), or with a parser that does not load external entities '
                          '(fast-xml-parser).'),
}


@rule(
    id="RMT-CODE-008",
    title='Event data is parsed as XML with external entities',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("The sender's XML document makes the parser read local files (`/proc/self/environ` holds the role's "
            "temporary credentials) or fetch URLs from inside the function's network, and the content comes back in "
            "the result or an error."),
    remediation=remediation(FIXES),
    references=(
        'https://lxml.de/FAQ.html#how-do-i-use-lxml-safely-as-a-web-service-endpoint',
        'https://cwe.mitre.org/data/definitions/611.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-611',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is parsed by an XML parser that resolves external entities.

    In Python lxml's ``fromstring`` / ``XML`` / ``parse`` with ``XMLParser(resolve_entities=True)`` and
    ``xmltodict.parse(..., disable_entities=False)``, in JavaScript libxmljs ``parseXml`` / ``parseXmlString``
    with ``noent: true``, expand ``<!ENTITY x SYSTEM "file:///proc/self/environ">``: the document's sender reads
    files or reaches URLs through the parser.

    lxml's *default* parser resolved external entities up to lxml 4.9; lxml 5.0 (2023-12-29) changed the
    default to ``resolve_entities="internal"``, which no longer loads them. remit therefore reports the
    default parser (and ``no_network=False`` without ``resolve_entities``) by the lxml version the function
    ships: below 5.0 at full severity; not at all when every shipped copy is 5.0 or later; one level lower,
    saying the version is unknown, when no manifest pins it. ``defusedxml``, ``xml.etree.ElementTree`` and
    parsers made with ``resolve_entities=False`` are not reported.
    """
    shipped: tuple[str, str] | None = None
    for hit in flow_hits(fn, an, SinkKind.XXE, Severity.HIGH, IMPACT, FIXES):
        if f" {DEFAULT_PARSER}|" not in hit.evidence:
            yield hit  # resolve_entities=True, xmltodict(disable_entities=False), libxmljs noent: true
            continue
        shipped = shipped or lxml_shipped(fn, an)
        verdict, what = shipped
        if verdict == "new":
            continue
        if verdict == "old":
            yield dataclasses.replace(
                hit, message=f"{hit.message} It ships {what}: before 5.0 lxml's default parser resolves external "
                             f"entities.", details=(*hit.details, ("lxml", what)))
            continue
        yield dataclasses.replace(
            hit, severity=lowered_once(hit.severity or Severity.HIGH),
            message=f"{hit.message} Which lxml it ships is unknown ({what}): lxml before 5.0 resolves external "
                    f"entities with its default parser, 5.0 and later do not; pin lxml>=5.",
            details=(*hit.details, ("lxml", "unknown")))


def lxml_shipped(fn: Function, an: Analysis) -> tuple[str, str]:
    """("old" | "new" | "unknown", what the function ships) for lxml, from the dependency stage's packages."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415 - only when a manifest pins an XML parser
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415 - only when a manifest pins an XML parser

    deps = an.deps.of(fn.id)
    copies = [p for p in (deps.packages if deps else ()) if p.ecosystem is Ecosystem.PYPI and p.key == "lxml"]
    if not copies:
        return "unknown", "no manifest of the function names lxml"
    newest = True
    for p in copies:
        where = f"{p.manifest.path}:{p.manifest.line}"
        try:
            if p.version is not None:
                if Version(p.version).major < SAFE_SINCE:
                    return "old", f"lxml {p.version} ({where})"
                continue
            floor, ceiling = _bounds(SpecifierSet(p.spec))
        except (InvalidVersion, InvalidSpecifier):
            return "unknown", f"lxml {p.spec or '(unparsed)'} in {where}"
        if ceiling is not None and ceiling <= SAFE_SINCE:
            return "old", f"lxml {p.spec} ({where})"
        if floor is None or floor < SAFE_SINCE:
            newest = False
            unknown = f"lxml {p.spec or 'without a version'} in {where}"
    return ("new", "lxml 5.0 or later") if newest else ("unknown", unknown)


def _bounds(spec: SpecifierSet) -> tuple[int | None, int | None]:
    """The lowest major version a specifier set allows, and a major version it stays below (exclusive)."""
    from packaging.version import Version  # noqa: PLC0415 - only when a manifest pins an XML parser

    floor: int | None = None
    ceiling: int | None = None
    for item in spec:
        version = Version(item.version.removesuffix(".*"))
        if item.operator in (">=", ">", "~=", "==", "==="):
            floor = max(floor or 0, version.major)
        bound = None
        if item.operator in ("==", "===", "<=", "~="):  # ==4.9.4, ==4.*, ~=4.9: below the next major version
            bound = version.major + 1
        elif item.operator == "<":
            bound = version.major if not any(version.release[1:]) else version.major + 1
        if bound is not None:
            ceiling = bound if ceiling is None else min(ceiling, bound)
    return floor, ceiling
