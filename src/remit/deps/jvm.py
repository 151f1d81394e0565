"""Java (and other JVM) functions: Maven ``pom.xml`` and Gradle lockfiles.

* ``pom.xml``: ``<dependencies>`` with ``${property}`` references resolved from ``<properties>`` and the
  project's own coordinates, versions missing there taken from ``<dependencyManagement>``; ``test`` and
  ``provided`` scopes are not shipped in the deployment package and are skipped. A version range
  (``[1.2,2.0)``) or a version only a parent POM or an imported BOM knows stays unknown (nothing is fetched).
* ``gradle.lockfile`` (and ``gradle/dependency-locks/*.lockfile``): ``group:artifact:version=configurations``,
  every resolved version; entries locked only for test or build-tool configurations are skipped.

Packages are named ``group:artifact``, as OSV names Maven packages.
"""

from __future__ import annotations

import re
from pathlib import Path

from remit.deps.buildfiles import Element, read_lock, read_xml
from remit.deps.facts import Ecosystem, Package
from remit.deps.manifests import Listing, Shipped, _bad
from remit.source import SourceLocation

NOT_SHIPPED_SCOPES = frozenset({"test", "provided", "system", "import"})
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
# Gradle configurations that do not end up in the function's artifact
_BUILD_ONLY = re.compile(r"^(test|annotationProcessor|kapt|detekt|ktlint|jacoco|spotbugs|checkstyle|pmd|"
                         r"compileOnly|testCompileOnly)", re.IGNORECASE)


def read(listing: Listing, root: Path, out: Shipped) -> None:
    directory = listing.directory
    if listing.is_file("pom.xml"):
        read_pom(directory / "pom.xml", root, out)
    if listing.is_file("gradle.lockfile"):
        read_gradle_lock(directory / "gradle.lockfile", root, out)
    if listing.is_dir("gradle"):
        for lock in sorted((directory / "gradle" / "dependency-locks").glob("*.lockfile")):
            if lock.is_file():
                read_gradle_lock(lock, root, out)


def _properties(project: Element) -> dict[str, str]:
    props = {child.tag: child.text.strip() for child in (project.find("properties") or Element("", 0, {})).children}
    for key in ("version", "groupId", "artifactId"):
        value = project.value(key) or project.value("parent", key)
        if value:
            props[f"project.{key}"] = props[f"pom.{key}"] = value
    parent_version = project.value("parent", "version")
    if parent_version:
        props["project.parent.version"] = parent_version
    return props


def _resolve(value: str, props: dict[str, str]) -> str:
    for _ in range(5):  # properties may refer to properties; a cycle stays unresolved
        replaced = _PROPERTY.sub(lambda m: props.get(m.group(1), m.group(0)), value)
        if replaced == value:
            break
        value = replaced
    return value


def maven_pin(spec: str) -> str | None:
    """The exact version a Maven version element names: a plain version or a one-version range ``[1.2.3]``;
    None for a range, an unresolved property or nothing."""
    spec = spec.strip()
    single = re.fullmatch(r"\[([^,\[\]()]+)\]", spec)
    if single:
        return single.group(1).strip()
    if not spec or "${" in spec or re.search(r"[\[\](),]", spec):
        return None
    return spec


def read_pom(path: Path, root: Path, out: Shipped) -> None:
    read = read_xml(path, root, out)
    if read is None or read[0].tag != "project":
        return
    project, rel = read
    out.manifests.append(rel)
    props = _properties(project)
    managed: dict[str, str] = {}
    for dep in project.all("dependencyManagement", "dependencies", "dependency"):
        name = f"{_resolve(dep.value('groupId'), props)}:{_resolve(dep.value('artifactId'), props)}"
        if dep.value("version"):
            managed[name] = _resolve(dep.value("version"), props)
    for dep in project.all("dependencies", "dependency"):
        scope = dep.value("scope").lower()
        if scope in NOT_SHIPPED_SCOPES:
            continue
        group, artifact = _resolve(dep.value("groupId"), props), _resolve(dep.value("artifactId"), props)
        if not group or not artifact:
            continue
        name = f"{group}:{artifact}"
        spec = _resolve(dep.value("version"), props) or managed.get(name, "")
        out.packages.append(Package(name, Ecosystem.MAVEN, maven_pin(spec), spec, True, SourceLocation(rel, dep.line)))


def read_gradle_lock(path: Path, root: Path, out: Shipped) -> None:
    read = read_lock(path, root, out)
    if read is None:
        return
    text, rel = read
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "empty=")):
            continue
        coordinates, _, configurations = line.partition("=")
        parts = coordinates.split(":")
        if len(parts) != 3 or not all(parts):
            _bad(path, root, out, f"line {number}: not group:artifact:version")
            continue
        used = [c.strip() for c in configurations.split(",") if c.strip()]
        if used and all(_BUILD_ONLY.match(c) for c in used):
            continue
        group, artifact, version = parts
        out.packages.append(Package(f"{group}:{artifact}", Ecosystem.MAVEN, version, version, False,
                                    SourceLocation(rel, number), locked=True))

