"""CycloneDX 1.5 JSON: an SBOM of what each function ships, with dependency findings as vulnerabilities.

The scanned application is the BOM's metadata component; each function is an ``application`` component that
depends on the packages it ships (one ``library`` component per package URL, shared between functions).
Every advisory match whose finding is not suppressed becomes a vulnerability with its ratings, the fixed version
as recommendation and a VEX analysis: ``not_affected`` / ``code_not_reachable`` when the handler code never
imports the package, ``in_triage`` otherwise. A suppressed one is not claimed: the package stays listed and
names the advisory in a ``remit:suppressed-advisory`` property. Everything comes from the scan's
:class:`~remit.deps.inventory.Inventory` (the composer's); built with cyclonedx-python-lib, imported only when
this format is asked for.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from remit.result import ScanResult


def render(result: ScanResult) -> str:
    from cyclonedx.model import Property, XsUri
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentScope, ComponentType
    from cyclonedx.model.impact_analysis import ImpactAnalysisJustification, ImpactAnalysisState
    from cyclonedx.model.vulnerability import (
        BomTarget,
        Vulnerability,
        VulnerabilityAdvisory,
        VulnerabilityAnalysis,
        VulnerabilityRating,
        VulnerabilityScoreSource,
        VulnerabilitySeverity,
        VulnerabilitySource,
    )
    from cyclonedx.output.json import JsonV1Dot5
    from packageurl import PackageURL

    from remit.deps.facts import ImportReach, advisory_severity
    root = Component(name=result.root.name or "application", type=ComponentType.APPLICATION,
                     bom_ref="application")
    bom = Bom()
    bom.metadata.component = root
    bom.serial_number = uuid.uuid5(uuid.NAMESPACE_URL, f"remit:{result.root.name}:{result.tool_version}")
    if result.application is None:
        return str(JsonV1Dot5(bom).output_as_string(indent=2)) + "\n"
    libraries: dict[str, Any] = {}
    functions = []
    severity_map = {"critical": VulnerabilitySeverity.CRITICAL, "high": VulnerabilitySeverity.HIGH,
                    "medium": VulnerabilitySeverity.MEDIUM, "low": VulnerabilitySeverity.LOW}
    vulns: dict[str, Any] = {}
    # an advisory the user suppressed on every line shipping the package: listed on the package, not claimed
    suppressed = ({(m.package.purl, m.advisory.id) for deps in result.inventory.functions for m in deps.suppressed}
                  - {(m.package.purl, m.advisory.id) for deps in result.inventory.functions for m in deps.matches})
    for deps in result.inventory.functions:
        component = Component(name=deps.function, type=ComponentType.APPLICATION, bom_ref=f"function:{deps.doc}:"
                              f"{deps.function}", properties=[Property(name="remit:manifests",
                                                                       value=", ".join(deps.manifests) or "none")])
        functions.append(component)
        bom.components.add(component)
        shipped = []
        for p in deps.packages:
            ref = p.purl
            lib = libraries.get(ref)
            if lib is None:
                purl = PackageURL.from_string(p.purl)
                lib = Component(name=p.name, version=p.version or None, type=ComponentType.LIBRARY, purl=purl,
                                bom_ref=ref, scope=ComponentScope.REQUIRED,
                                properties=[Property(name="remit:direct", value=str(p.direct).lower()),
                                            Property(name="remit:origin", value=p.origin.value),
                                            Property(name="remit:manifest", value=str(p.manifest)),
                                            *(Property(name="remit:suppressed-advisory", value=advisory)
                                              for purl_, advisory in sorted(suppressed) if purl_ == ref)])
                libraries[ref] = lib
                bom.components.add(lib)
            shipped.append(lib)
        bom.register_dependency(component, shipped)
        for m in deps.matches:
            a = m.advisory
            key = f"{a.id}|{m.package.purl}"
            if key in vulns:
                continue
            ratings = []
            if a.score is not None:
                ratings.append(VulnerabilityRating(score=Decimal(str(a.score)), vector=a.severity,
                                                   method=VulnerabilityScoreSource.CVSS_V3_1
                                                   if a.severity.startswith("CVSS:3.1") else
                                                   VulnerabilityScoreSource.CVSS_V3,
                                                   severity=severity_map[advisory_severity(m).value]))
            else:
                ratings.append(VulnerabilityRating(severity=severity_map[advisory_severity(m).value]))
            if m.reach is ImportReach.NOT_IMPORTED:
                analysis = VulnerabilityAnalysis(state=ImpactAnalysisState.NOT_AFFECTED,
                                                 justification=ImpactAnalysisJustification.CODE_NOT_REACHABLE,
                                                 detail="the function ships the package but its code never "
                                                        "imports it (remit import reachability)")
            else:
                analysis = VulnerabilityAnalysis(state=ImpactAnalysisState.IN_TRIAGE,
                                                 detail="the function's code imports the package"
                                                 if m.reach is ImportReach.IMPORTED else "import reachability unknown")
            vulns[key] = Vulnerability(
                bom_ref=key, id=a.id,
                source=VulnerabilitySource(name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{a.id}")),
                description=a.summary or None, ratings=ratings,
                advisories=[VulnerabilityAdvisory(url=XsUri(u)) for u in a.references if u.startswith("http")],
                recommendation=(f"Upgrade {m.package.name} to {m.fix}" if m.fix else
                                ("Remove the package" if a.malicious else "No fixed version is published")),
                affects=[BomTarget(ref=m.package.purl)], analysis=analysis,
                properties=[Property(name="remit:alias", value=alias) for alias in a.aliases])
    bom.register_dependency(root, functions)
    for v in vulns.values():
        bom.vulnerabilities.add(v)
    return _numeric_scores(str(JsonV1Dot5(bom).output_as_string(indent=2)))


def _numeric_scores(text: str) -> str:
    """The library writes Decimal scores as strings; the 1.5 schema wants numbers."""
    data = json.loads(text)
    for vuln in data.get("vulnerabilities", []):
        for rating in vuln.get("ratings", []):
            if isinstance(rating.get("score"), str):
                rating["score"] = float(rating["score"])
    return json.dumps(data, indent=2) + "\n"
