""".NET functions: NuGet ``packages.lock.json``, project files and ``packages.config``.

* ``packages.lock.json``: every resolved package per target framework (``Direct`` and ``Transitive``;
  ``Project`` references are the app's own code);
* ``*.csproj`` / ``*.fsproj`` / ``*.vbproj``: ``<PackageReference Include=... Version=...>`` (attribute or child
  element), with versions from ``Directory.Packages.props`` (central package management) beside it;
* ``packages.config``: ``<package id=... version=...>``.

A floating version (``1.*``) or a range other than one exact version (``[1.2.3]``) stays unknown.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from remit.deps.buildfiles import Element, read_lock, read_xml
from remit.deps.facts import Ecosystem, Package
from remit.deps.manifests import Listing, Shipped, _bad, line_of
from remit.source import SourceLocation

PROJECT_FILES = ("*.csproj", "*.fsproj", "*.vbproj")


def read(listing: Listing, root: Path, out: Shipped) -> None:
    directory = listing.directory
    central = _central_versions(directory / "Directory.Packages.props", root, out) \
        if listing.is_file("Directory.Packages.props") else {}
    for pattern in PROJECT_FILES:
        for project in listing.files(pattern):
            read_project(project, root, out, central)
    if listing.is_file("packages.config"):
        read_packages_config(directory / "packages.config", root, out)
    if listing.is_file("packages.lock.json"):
        read_packages_lock(directory / "packages.lock.json", root, out)


def nuget_pin(spec: str) -> str | None:
    """The exact version of a NuGet version spec: ``1.2.3`` or ``[1.2.3]``; None for ranges and floats."""
    spec = spec.strip()
    single = re.fullmatch(r"\[\s*([^,\[\]()]+?)\s*\]", spec)
    if single:
        return single.group(1)
    if not spec or "*" in spec or "$(" in spec or re.search(r"[\[\](),]", spec):
        return None
    return spec


def _descendants(element: Element, tag: str) -> list[Element]:
    found: list[Element] = []
    stack = [element]
    while stack:
        current = stack.pop()
        found += [c for c in current.children if c.tag == tag]
        stack += current.children
    return sorted(found, key=lambda e: e.line)


def _attr(element: Element, name: str) -> str:
    """An attribute, matched without regard to case (MSBuild's rule), else a child element's text."""
    for key, value in element.attrs.items():
        if key.lower() == name.lower():
            return value.strip()
    child = next((c for c in element.children if c.tag.lower() == name.lower()), None)
    return child.text.strip() if child is not None else ""


def _central_versions(path: Path, root: Path, out: Shipped) -> dict[str, str]:
    if not path.is_file():
        return {}
    read = read_xml(path, root, out)
    if read is None:
        return {}
    document, rel = read
    out.manifests.append(rel)
    return {_attr(e, "Include").lower(): _attr(e, "Version") for e in _descendants(document, "PackageVersion")
            if _attr(e, "Include")}


def read_project(path: Path, root: Path, out: Shipped, central: dict[str, str]) -> None:
    read = read_xml(path, root, out)
    if read is None:
        return
    document, rel = read
    references = _descendants(document, "PackageReference")
    if references:
        out.manifests.append(rel)
    for ref in references:
        name = _attr(ref, "Include")
        if not name:
            continue  # an Update= item changes a reference made elsewhere
        spec = _attr(ref, "Version") or _attr(ref, "VersionOverride") or central.get(name.lower(), "")
        out.packages.append(Package(name, Ecosystem.NUGET, nuget_pin(spec), spec, True, SourceLocation(rel, ref.line)))


def read_packages_config(path: Path, root: Path, out: Shipped) -> None:
    read = read_xml(path, root, out)
    if read is None:
        return
    document, rel = read
    out.manifests.append(rel)
    for package in _descendants(document, "package"):
        name, spec = _attr(package, "id"), _attr(package, "version")
        if name and _attr(package, "developmentDependency").lower() != "true":
            out.packages.append(Package(name, Ecosystem.NUGET, nuget_pin(spec), spec, True,
                                        SourceLocation(rel, package.line)))


def read_packages_lock(path: Path, root: Path, out: Shipped) -> None:
    read = read_lock(path, root, out)
    if read is None:
        return
    text, rel = read
    try:
        data = json.loads(text)
    except ValueError as exc:
        _bad(path, root, out, exc)
        return
    frameworks = data.get("dependencies") if isinstance(data, dict) else None
    for framework, packages in frameworks.items() if isinstance(frameworks, dict) else ():
        start = line_of(text, f'"{framework}"')
        for name, entry in packages.items() if isinstance(packages, dict) else ():
            if not isinstance(entry, dict) or entry.get("type") == "Project" or not entry.get("resolved"):
                continue
            version = str(entry["resolved"])
            out.packages.append(Package(str(name), Ecosystem.NUGET, version, version, False,
                                        SourceLocation(rel, line_of(text, f'"{name}"', start)), locked=True,
                                        hashed=bool(entry.get("contentHash"))))
