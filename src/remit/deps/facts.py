"""What the dependency stage learns about the third-party packages each function ships.

Per function (and the layers it uses) the stage reads manifests, lockfiles and vendored packages into
:class:`Package` s, matches them against advisories in OSV format (:class:`Match`) and records supply-chain
signs (:class:`Sign`). Locations are relative to the scanned root. Everything is frozen plain data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from remit.diagnostics import Diagnostic
from remit.findings import Severity
from remit.model.resources import ResourceId
from remit.source import SourceLocation


class Ecosystem(StrEnum):
    """A package ecosystem, named as OSV names it (the value is OSV's ``ecosystem`` and its archive folder)."""

    PYPI = "PyPI"
    NPM = "npm"
    MAVEN = "Maven"
    GO = "Go"
    NUGET = "NuGet"
    RUBYGEMS = "RubyGems"

    @property
    def purl_type(self) -> str:
        return _PURL_TYPES[self]


_PURL_TYPES = {Ecosystem.PYPI: "pypi", Ecosystem.NPM: "npm", Ecosystem.MAVEN: "maven", Ecosystem.GO: "golang",
               Ecosystem.NUGET: "nuget", Ecosystem.RUBYGEMS: "gem"}


class Origin(StrEnum):
    """Where a package comes from."""

    REGISTRY = "registry"
    GIT = "git"  # git+https://..., github:owner/repo
    URL = "url"  # an HTTP(S) tarball or wheel
    PATH = "path"  # a local directory or file


@dataclass(frozen=True, slots=True)
class Package:
    """One package a function ships (or declares).

    ``version`` is the exact version when known (a lockfile, an ``==`` pin, a vendored copy); ``spec`` is the
    requirement as the manifest wrote it (``>=2.0``, ``^4.17.15``). ``direct`` is False for packages only a
    lockfile or a vendored tree names as a dependency of another package.
    """

    name: str  # as written
    ecosystem: Ecosystem
    version: str | None
    spec: str
    direct: bool
    manifest: SourceLocation  # the line that declares it
    origin: Origin = Origin.REGISTRY
    hashed: bool = False  # requirements line carries --hash
    vendored: bool = False  # installed into the package directory (dist-info / node_modules)
    locked: bool = False  # the version comes from a lockfile
    parent: str = ""  # for a nested npm copy (node_modules/a/node_modules/b): the package that pulls it

    @property
    def key(self) -> str:
        """The normalised name advisories are indexed by (PEP 503 for PyPI, lower case for npm)."""
        return normalise(self.ecosystem, self.name)

    @property
    def purl(self) -> str:
        """The package URL (``pkg:maven/org.yaml/snakeyaml@1.33``, ``pkg:golang/golang.org/x/net@v0.7.0``)."""
        from packageurl import PackageURL  # noqa: PLC0415 - only when an SBOM is written

        eco = self.ecosystem
        namespace: str | None = None
        name = self.key if eco in (Ecosystem.PYPI, Ecosystem.NPM) else self.name
        version = self.version
        if eco is Ecosystem.NPM and name.startswith("@") and "/" in name:
            namespace, name = name.split("/", 1)
        elif eco is Ecosystem.MAVEN and ":" in name:
            namespace, name = name.split(":", 1)
        elif eco is Ecosystem.GO and "/" in name:
            namespace, name = name.rsplit("/", 1)
            version = version if version is None or version.startswith("v") else f"v{version}"
        return str(PackageURL(type=eco.purl_type, namespace=namespace, name=name, version=version))


def normalise(ecosystem: Ecosystem, name: str) -> str:
    """The name advisories are indexed by: PEP 503 for PyPI, exact for Go module paths (case matters there),
    lower case elsewhere (npm, NuGet and RubyGems names are case-insensitive; Maven ``group:artifact`` in
    practice)."""
    if ecosystem is Ecosystem.PYPI:

        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem is Ecosystem.GO:
        return name
    return name.lower()


@dataclass(frozen=True, slots=True)
class Advisory:
    """The parts of one OSV record remit reports."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str  # a CVSS vector or the database's rating; "" when none is given
    score: float | None  # CVSS base score when the vector could be scored
    fixed: tuple[str, ...]  # first fixed versions (one per affected range)
    references: tuple[str, ...] = ()
    malicious: bool = False  # an OSV MAL- record: the package is malware

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(a for a in (self.id, *self.aliases) if a.startswith(("CVE-", "GHSA-")))


class ImportReach(StrEnum):
    """Whether the handler code imports the vulnerable package."""

    IMPORTED = "imported"  # the function's code imports it: severity stays (or rises for RCE-class issues)
    NOT_IMPORTED = "not-imported"  # shipped but never imported: severity lowered one level
    UNKNOWN = "unknown"  # the code stage has no import facts (unsupported runtime, unreadable code)


@dataclass(frozen=True, slots=True)
class Match:
    """A shipped package at a version an advisory affects."""

    package: Package
    advisory: Advisory
    reach: ImportReach
    fix: str | None  # the smallest fixed version above the installed one, if any

    @property
    def fact(self) -> str:
        """What the match is about, whichever function ships it: a manifest line's package version and an
        advisory (no line number: lines move, fingerprints stay)."""
        p = self.package
        return f"{p.manifest.path}|{p.key}|{p.version}|{self.advisory.id}"


_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
_RATINGS = {"CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH, "MODERATE": Severity.MEDIUM,
            "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}


def advisory_severity(match: Match) -> Severity:
    """How serious a match is: the CVSS base score when the advisory gives a vector, else the database's
    rating, else medium; one level lower when the function never imports the package. A fact of the match, read
    by RMT-DEP-001 and the attack graph alike (never from a finding, whose severity the user may override)."""
    score = match.advisory.score
    if score is not None:
        base = (Severity.CRITICAL if score >= 9 else Severity.HIGH if score >= 7 else
                Severity.MEDIUM if score >= 4 else Severity.LOW)
    else:
        base = _RATINGS.get(match.advisory.severity.upper(), Severity.MEDIUM)
    if match.reach is ImportReach.NOT_IMPORTED:
        return _ORDER[max(0, _ORDER.index(base) - 1)]
    return base


class SignKind(StrEnum):
    TYPOSQUAT = "typosquat"
    INSTALL_SCRIPT = "install-script"
    OBFUSCATED = "obfuscated"
    UNPINNED = "unpinned"
    NON_REGISTRY = "non-registry"
    NO_HASHES = "no-hashes"


@dataclass(frozen=True, slots=True)
class Sign:
    """A supply-chain sign found without advisories."""

    kind: SignKind
    location: SourceLocation
    message: str
    evidence: str  # what tells signs of one kind on one function apart (enters the fingerprint)
    package: str = ""


@dataclass(frozen=True, slots=True)
class FunctionDeps:
    """What one function ships: its own packages and those of its layers."""

    function: ResourceId
    packages: tuple[Package, ...] = ()
    matches: tuple[Match, ...] = ()
    signs: tuple[Sign, ...] = ()
    manifests: tuple[str, ...] = ()  # manifest files read, relative to the scanned root
    lockfile: bool = False


class SourceKind(StrEnum):
    DIRECTORY = "directory"
    ZIP = "zip"
    CACHE = "cache"
    ONLINE = "online"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class AdvisorySource:
    """Which advisories the scan used. ``kind`` NONE means no advisory was checked; ``unchecked`` names the
    ecosystems the scan found packages of but had no advisories for (all of them when ``kind`` is NONE), and
    ``reason`` says why (offline with an empty cache, a failed download)."""

    kind: SourceKind
    description: str = ""
    records: int = 0
    age_days: int | None = None  # of the cached download (the oldest archive used)
    unchecked: tuple[str, ...] = ()
    reason: str = ""
    offline: bool = False

    def headline(self) -> str:
        """What was not checked and why, for a report's headline after "not checked:", else ""."""
        if not self.unchecked and self.kind is not SourceKind.NONE:
            return ""
        what = ("dependencies against known vulnerabilities" if self.kind is SourceKind.NONE else
                f"{', '.join(self.unchecked)} dependencies against known vulnerabilities")
        fix = ("connect once, or pass --advisories PATH" if self.offline else
               "check the network or the advisory URL, or pass --advisories PATH")
        return f"{what}: {self.reason or 'no advisories'} ({fix})"


@dataclass(frozen=True)
class DependencyFacts:
    """The dependency stage's answer for the whole application."""

    functions: Mapping[ResourceId, FunctionDeps] = field(default_factory=dict)
    source: AdvisorySource = AdvisorySource(SourceKind.NONE)
    diagnostics: tuple[Diagnostic, ...] = ()

    def of(self, function: ResourceId) -> FunctionDeps | None:
        return self.functions.get(function)

    @cached_property
    def shippers(self) -> Mapping[str, Mapping[str, ImportReach]]:
        """For each :attr:`Match.fact`, every function shipping it (its logical id -> whether its code imports
        the package): one finding per manifest line names them all."""
        table: dict[str, dict[str, ImportReach]] = {}
        for function, facts in self.functions.items():
            for m in facts.matches:
                table.setdefault(m.fact, {})[function.logical_id] = m.reach
        return table

    @property
    def advisories_unchecked(self) -> bool:
        """Functions ship packages some of which were not matched against any advisory."""
        if not self.source.unchecked and self.source.kind is not SourceKind.NONE:
            return False
        return any(p.version for d in self.functions.values() for p in d.packages)


NO_DEPENDENCIES = DependencyFacts()
