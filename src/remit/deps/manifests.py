"""Reading what a package directory ships: manifests, lockfiles and vendored packages.

Python: ``requirements*.txt`` (``-r`` includes, ``-c`` constraints, markers, ``--hash``), ``pyproject.toml``
(PEP 621 and Poetry), ``poetry.lock``, ``Pipfile.lock``, ``uv.lock``, vendored ``*.dist-info/METADATA``. npm:
``package.json``, ``package-lock.json`` / ``npm-shrinkwrap.json`` (lockfile v1-v3), ``yarn.lock`` (classic and Berry),
``pnpm-lock.yaml``, vendored ``node_modules/**/package.json``. Nothing is executed; a file that cannot be read
becomes a diagnostic.
"""

from __future__ import annotations

import os
import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.deps.facts import Ecosystem, Origin, Package, normalise
from remit.diagnostics import Diagnostic, Level
from remit.guard import report_path
from remit.source import SourceLocation

MAX_BYTES = 5_000_000
MAX_VENDORED = 5_000
PY_LOCKS = ("poetry.lock", "Pipfile.lock", "uv.lock")
NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")
_EXACT_NPM = re.compile(r"^v?=?\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")


@dataclass
class Shipped:
    """Everything read from one package directory."""

    packages: list[Package] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    py_lock: bool = False
    npm_lock: bool = False
    other_lock: bool = False  # a Maven/Gradle, Go, NuGet or Bundler lock (remit.deps.jvm, golang, dotnet, ruby)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class Listing:
    """One package directory's entries, listed once: which names are files and which are directories (symlinks
    followed, as ``Path.is_file`` and ``is_dir`` follow them). A package directory is asked about some twenty
    manifest names and a handful of patterns; each was a ``stat`` or a scan of the directory of its own. A
    directory that cannot be listed is asked name by name, as before."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: frozenset[str] | None = None
        self._dirs: frozenset[str] | None = None
        files: set[str] = set()
        dirs: set[str] = set()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    try:
                        if entry.is_file():
                            files.add(entry.name)
                        elif entry.is_dir():
                            dirs.add(entry.name)
                    except OSError:
                        continue
        except OSError:
            return
        self._files, self._dirs = frozenset(files), frozenset(dirs)

    def is_file(self, name: str) -> bool:
        return (self.directory / name).is_file() if self._files is None else name in self._files

    def is_dir(self, name: str) -> bool:
        return (self.directory / name).is_dir() if self._dirs is None else name in self._dirs

    def files(self, pattern: str) -> list[Path]:
        """The files whose names match ``pattern`` (no directory part), in name order."""
        if self._files is None:
            return sorted(p for p in self.directory.glob(pattern) if p.is_file())
        return [self.directory / name for name in sorted(self._files) if fnmatchcase(name, pattern)]

    def any_dir(self, pattern: str) -> bool:
        """Whether a directory's name matches ``pattern`` (True when the directory could not be listed)."""
        return self._dirs is None or any(fnmatchcase(name, pattern) for name in self._dirs)


def _rel(path: Path, root: Path) -> str:
    return report_path(path, root)


def _read(path: Path, root: Path, out: Shipped) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            out.diagnostics.append(Diagnostic(_rel(path, root), Level.WARNING, "manifest-too-large",
                                              "manifest larger than 5 MB: not read"))
            return None
        data = safeio.read_bytes(path, MAX_BYTES)
    except OSError as exc:
        out.diagnostics.append(Diagnostic(_rel(path, root), Level.WARNING, "manifest-unreadable",
                                          f"cannot read: {exc.strerror or exc}"))
        return None
    if b"\0" in data[:4096]:
        out.diagnostics.append(Diagnostic(_rel(path, root), Level.WARNING, "manifest-binary",
                                          "binary file where a manifest was expected: not read"))
        return None
    return data.decode("utf-8", errors="replace")


def _bad(path: Path, root: Path, out: Shipped, why: object) -> None:
    out.diagnostics.append(Diagnostic(_rel(path, root), Level.WARNING, "manifest-malformed",
                                      f"cannot parse: {str(why)[:200]}"))


@lru_cache(maxsize=8)
def _line_starts(text: str) -> tuple[int, ...]:
    """The offset of each line of ``text`` (lines as ``str.splitlines`` cuts them), computed once per text: a
    manifest of thousands of packages asks for a line per package."""
    starts, at = [], 0
    for line in text.splitlines(keepends=True):
        starts.append(at)
        at += len(line)
    return tuple(starts)


_QUOTED = re.compile(r'"[^"\n]{0,200}"')


@lru_cache(maxsize=8)
def _quoted(text: str) -> dict[str, list[int]]:
    """Where each short double-quoted string of ``text`` occurs (a JSON key, a package name), in order."""
    index: dict[str, list[int]] = {}
    for match in _QUOTED.finditer(text):
        index.setdefault(match.group(), []).append(match.start())
    return index


def line_of(text: str, needle: str, start: int = 1) -> int:
    """The 1-based line of the first occurrence of ``needle`` at or after line ``start`` (``start`` if none).
    A quoted needle (``"name"``) is looked up in an index of the text, so thousands of packages cost thousands of
    lookups, not thousands of scans of the file."""
    starts = _line_starts(text)
    first = max(0, start - 1)
    if first >= len(starts):
        return start
    if needle.startswith('"') and needle.endswith('"') and '"' not in needle[1:-1] and len(needle) > 1:
        offsets = _quoted(text).get(needle, [])
        i = bisect_left(offsets, starts[first])
        if i < len(offsets):
            return bisect_right(starts, offsets[i])
    at = text.find(needle, starts[first])
    return bisect_right(starts, at) if at >= 0 else start


# ------------------------------------------------------------------------------------------------ Python


@lru_cache(maxsize=4096)
def pep440_pin(spec: str) -> str | None:
    """The exact version of a specifier that pins one (``==1.2.3``, ``===1.2``), else None (remembered, as
    :func:`_requirement`)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    try:
        specs = list(SpecifierSet(spec))
    except InvalidSpecifier:
        return None
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def _py_origin(url: str) -> Origin:
    if url.startswith(("git+", "hg+", "svn+", "bzr+")) or url.endswith(".git"):
        return Origin.GIT
    if url.startswith(("http://", "https://")):
        return Origin.URL
    return Origin.PATH


_EGG = re.compile(r"#egg=([A-Za-z0-9_.-]+)")


def _logical_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """(line number, requirement text without comments and hashes, hashed) for each non-empty logical line."""
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        number = i + 1
        parts = [raw[i]]
        while parts[-1].rstrip().endswith("\\") and i + 1 < len(raw):  # joined once, not re-copied per line
            parts[-1] = parts[-1].rstrip()[:-1]
            i += 1
            parts.append(raw[i])
        line = " ".join(parts)
        i += 1
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        hashed = "--hash" in line
        yield number, re.sub(r"\s--hash[=\s]\S+", "", " " + line).strip(), hashed


Constraints = dict[str, tuple[str, SourceLocation]]  # normalised name -> (specifier, where the constraint is)


@dataclass(frozen=True, slots=True)
class _Requirement:
    """What remit reads of one PEP 508 requirement."""

    name: str
    url: str | None
    specifier: str  # "" when none


@lru_cache(maxsize=4096)
def _requirement(text: str) -> _Requirement | None:
    """One requirement line as ``packaging`` reads it, None when it cannot: remembered for the process, since
    the functions of one repository pin the same lines over and over (packaging's parser costs ~0.1 ms)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    return _Requirement(req.name, req.url, str(req.specifier))


def read_constraints(path: Path, root: Path, out: Shipped, constraints: Constraints, seen: set[Path]) -> None:
    """A pip constraints file (``-c``): versions for packages other files require; it adds no package itself.
    Nested ``-c`` files are followed (inside the scanned root, each once); other options are skipped."""
    real = path.resolve()
    if real in seen:
        return
    seen.add(real)
    text = _read(path, root, out)
    if text is None:
        return
    rel = _rel(path, root)
    out.manifests.append(rel)
    for number, line, _ in _logical_lines(text):
        nested = re.match(r"^(?:-c|--constraint)[=\s]*(\S+)", line)
        if nested:
            target = (path.parent / nested.group(1)).resolve()
            if target.is_file() and target.is_relative_to(root.resolve()):
                read_constraints(target, root, out, constraints, seen)
            continue
        if line.startswith("-"):
            continue
        req = _requirement(line)
        if req is None:
            out.diagnostics.append(Diagnostic(rel, Level.WARNING, "requirement-malformed",
                                              f"not a constraint: {line[:80]!r}", number))
            continue
        if not req.url and req.specifier:
            key = normalise(Ecosystem.PYPI, req.name)
            constraints.setdefault(key, (req.specifier, SourceLocation(rel, number)))


def _constrain(out: Shipped, first: int, constraints: Constraints) -> None:
    """Narrow the registry requirements read since index ``first`` by the constraints: the effective specifier
    is both together, and a constraint that pins one version gives the version. A pinned requirement the
    constraint excludes is a diagnostic (pip refuses to install it) and stays as written."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion
    packages = out.packages
    for index in range(first, len(packages)):
        p = packages[index]
        found = constraints.get(p.key)
        if found is None or p.ecosystem is not Ecosystem.PYPI or p.origin is not Origin.REGISTRY:
            continue
        limit, where = found
        try:
            spec = SpecifierSet(p.spec) & SpecifierSet(limit)
            if p.version is not None and not SpecifierSet(limit).contains(p.version, prereleases=True):
                out.diagnostics.append(Diagnostic(
                    p.manifest.path, Level.WARNING, "requirement-conflict",
                    f"{p.name}{p.spec} conflicts with the constraint {limit} ({where.path}:{where.line}): pip "
                    "refuses to install this set", p.manifest.line))
                continue
        except (InvalidSpecifier, InvalidVersion):
            continue
        packages[index] = replace(p, spec=str(spec), version=p.version or pep440_pin(str(spec)) or pep440_pin(limit))


def read_requirements(path: Path, root: Path, out: Shipped, seen: set[Path] | None = None,
                      constraints: Constraints | None = None) -> None:
    """A pip requirements file, following ``-r`` includes (inside the scanned root, each once) and applying
    ``-c`` constraints files to what it and its includes require."""
    seen = set() if seen is None else seen
    real = path.resolve()
    if real in seen:
        return
    seen.add(real)
    text = _read(path, root, out)
    if text is None:
        return
    top = constraints is None
    constraints = {} if constraints is None else constraints
    first = len(out.packages)
    rel = _rel(path, root)
    out.manifests.append(rel)
    for number, line, hashed in _logical_lines(text):
        include = re.match(r"^(?:-r|--requirement)[=\s]*(\S+)", line)
        if include:
            target = (path.parent / include.group(1)).resolve()
            if target.is_file() and target.is_relative_to(root.resolve()):
                read_requirements(target, root, out, seen, constraints)
            continue
        constraint = re.match(r"^(?:-c|--constraint)[=\s]*(\S+)", line)
        if constraint:
            target = (path.parent / constraint.group(1)).resolve()
            if target.is_file() and target.is_relative_to(root.resolve()):
                read_constraints(target, root, out, constraints, seen)
            continue
        editable = re.match(r"^(?:-e|--editable)[=\s]*(\S+)", line)
        if editable:
            url = editable.group(1)
            egg = _EGG.search(url)
            name = egg.group(1) if egg else url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
            out.packages.append(Package(name, Ecosystem.PYPI, None, url, True, SourceLocation(rel, number),
                                        origin=_py_origin(url), hashed=hashed))
            continue
        if line.startswith("-"):
            continue  # --index-url, --find-links...
        if re.match(r"^(git\+|https?://|\.{0,2}/)", line):
            egg = _EGG.search(line)
            name = egg.group(1) if egg else line.rstrip("/").rsplit("/", 1)[-1].split("#")[0]
            out.packages.append(Package(name, Ecosystem.PYPI, None, line, True, SourceLocation(rel, number),
                                        origin=_py_origin(line), hashed=hashed))
            continue
        req = _requirement(line.split(" ;")[0].strip() if " ; " in line and "@" in line else line)
        if req is None:
            out.diagnostics.append(Diagnostic(rel, Level.WARNING, "requirement-malformed",
                                              f"not a requirement: {line[:80]!r}", number))
            continue
        if req.url:
            out.packages.append(Package(req.name, Ecosystem.PYPI, None, req.url, True,
                                        SourceLocation(rel, number), origin=_py_origin(req.url), hashed=hashed))
            continue
        spec = req.specifier
        out.packages.append(Package(req.name, Ecosystem.PYPI, pep440_pin(spec), spec, True,
                                    SourceLocation(rel, number), hashed=hashed))
    if top and constraints:
        _constrain(out, first, constraints)


def _poetry_spec(value: Any) -> tuple[str, Origin]:
    if isinstance(value, str):
        return value, Origin.REGISTRY
    if isinstance(value, dict):
        if "git" in value:
            return str(value["git"]), Origin.GIT
        if "url" in value:
            return str(value["url"]), Origin.URL
        if "path" in value:
            return str(value["path"]), Origin.PATH
        return str(value.get("version", "")), Origin.REGISTRY
    if isinstance(value, list) and value:
        return _poetry_spec(value[0])
    return "", Origin.REGISTRY



def _parse(path: Path, root: Path, out: Shipped, parse: Callable[[str], Any],
           errors: type[Exception] | tuple[type[Exception], ...]) -> tuple[str, Any] | None:
    """The manifest's text and parsed data, or None after recording why it could not be read or parsed."""
    text = _read(path, root, out)
    if text is None:
        return None
    try:
        return text, parse(text)
    except errors as exc:
        _bad(path, root, out, exc)
        return None


def _poetry_version(spec: str) -> str | None:
    spec = spec.strip()
    if re.fullmatch(r"\d+(\.\d+)*", spec):
        return spec
    return pep440_pin(spec)


def read_pyproject(path: Path, root: Path, out: Shipped) -> None:
    parsed = _parse(path, root, out, untrusted.toml_loads, tomllib.TOMLDecodeError)
    if parsed is None:
        return
    text, data = parsed
    rel = _rel(path, root)
    found = False
    project = data.get("project")
    if isinstance(project, dict) and isinstance(project.get("dependencies"), list):
        start = line_of(text, "dependencies")
        for item in project["dependencies"]:
            if not isinstance(item, str):
                continue
            req = _requirement(item)
            if req is None:
                continue
            found = True
            at = SourceLocation(rel, line_of(text, item.split(";")[0].strip()[:40], start))
            if req.url:
                out.packages.append(Package(req.name, Ecosystem.PYPI, None, req.url, True, at,
                                            origin=_py_origin(req.url)))
            else:
                out.packages.append(Package(req.name, Ecosystem.PYPI, pep440_pin(req.specifier), req.specifier,
                                            True, at))
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(deps, dict):
        start = line_of(text, "[tool.poetry.dependencies]")
        for name, value in deps.items():
            if name.lower() == "python":
                continue
            found = True
            spec, origin = _poetry_spec(value)
            version = _poetry_version(spec) if origin is Origin.REGISTRY else None
            at = SourceLocation(rel, line_of(text, name, start))
            out.packages.append(Package(name, Ecosystem.PYPI, version, spec, True, at, origin=origin))
    if found:
        out.manifests.append(rel)


def _toml_packages(path: Path, root: Path, out: Shipped, kind: str) -> None:
    """``poetry.lock`` and ``uv.lock``: ``[[package]]`` tables with name, version and source."""
    parsed = _parse(path, root, out, untrusted.toml_loads, tomllib.TOMLDecodeError)
    if parsed is None:
        return
    text, data = parsed
    rel = _rel(path, root)
    out.manifests.append(rel)
    out.py_lock = True
    for entry in data.get("package", []) if isinstance(data.get("package"), list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        if entry.get("category") == "dev":
            continue  # a development dependency (poetry.lock before 1.2): never installed into the package
        raw_source = entry.get("source")
        source: dict[str, Any] = raw_source if isinstance(raw_source, dict) else {}
        origin = Origin.REGISTRY
        if kind == "poetry":
            origin = {"git": Origin.GIT, "url": Origin.URL, "directory": Origin.PATH,
                      "file": Origin.PATH}.get(str(source.get("type", "")), Origin.REGISTRY)
        else:
            origin = (Origin.GIT if "git" in source else Origin.URL if "url" in source else
                      Origin.PATH if ("path" in source or "directory" in source or "editable" in source
                                      or "virtual" in source) else Origin.REGISTRY)
            if "editable" in source or "virtual" in source:
                continue  # the project itself
        version = str(entry.get("version", "")) or None
        at = SourceLocation(rel, line_of(text, f'name = "{entry["name"]}"'))
        out.packages.append(Package(entry["name"], Ecosystem.PYPI, version, f"=={version}" if version else "",
                                    False, at, origin=origin, locked=True,
                                    hashed=bool(entry.get("files") or entry.get("wheels") or entry.get("sdist"))))


def read_pipfile_lock(path: Path, root: Path, out: Shipped) -> None:
    parsed = _parse(path, root, out, untrusted.json_loads, ValueError)
    if parsed is None:
        return
    text, data = parsed
    rel = _rel(path, root)
    out.manifests.append(rel)
    out.py_lock = True
    section = data.get("default") if isinstance(data, dict) else None
    for name, entry in (section or {}).items() if isinstance(section, dict) else ():
        if not isinstance(entry, dict):
            continue
        spec = str(entry.get("version", ""))
        origin = Origin.GIT if "git" in entry else Origin.PATH if "path" in entry else Origin.REGISTRY
        out.packages.append(Package(name, Ecosystem.PYPI, pep440_pin(spec), spec, False,
                                    SourceLocation(rel, line_of(text, f'"{name}"')), origin=origin, locked=True,
                                    hashed=bool(entry.get("hashes"))))


def read_metadata(path: Path, root: Path, out: Shipped) -> None:
    """A vendored ``*.dist-info/METADATA``: the installed name and version."""
    text = _read(path, root, out)
    if text is None:
        return
    name = version = None
    for line in text.splitlines()[:50]:
        if line.startswith("Name:"):
            name = line[5:].strip()
        elif line.startswith("Version:"):
            version = line[8:].strip()
        elif not line.strip():
            break
    if name:
        out.packages.append(Package(name, Ecosystem.PYPI, version, f"=={version}" if version else "", False,
                                    SourceLocation(_rel(path, root), 1), vendored=True))


# ------------------------------------------------------------------------------------------------ npm


def npm_origin(spec: str) -> Origin:
    if spec.startswith(("git+", "git://", "github:", "gitlab:", "bitbucket:")) or \
            re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#.*)?", spec):
        return Origin.GIT
    if spec.startswith(("http://", "https://")):
        return Origin.URL
    if spec.startswith(("file:", "link:", "./", "../", "/", "~/")):
        return Origin.PATH
    return Origin.REGISTRY


def npm_pin(spec: str) -> str | None:
    match = _EXACT_NPM.match(spec.strip())
    return match.group(1) if match else None


def read_package_json(path: Path, root: Path, out: Shipped, *, vendored: bool = False) -> dict[str, Any] | None:
    text = _read(path, root, out)
    if text is None:
        return None
    try:
        data = untrusted.json_loads(text)
    except ValueError as exc:
        _bad(path, root, out, exc)
        return None
    if not isinstance(data, dict):
        return None
    rel = _rel(path, root)
    if vendored:
        name, version = data.get("name"), data.get("version")
        if isinstance(name, str) and name:
            out.packages.append(Package(name, Ecosystem.NPM, str(version) if version else None,
                                        str(version or ""), False, SourceLocation(rel, line_of(text, '"version"')),
                                        vendored=True))
        return data
    out.manifests.append(rel)
    for section in ("dependencies", "optionalDependencies"):
        deps = data.get(section)
        if not isinstance(deps, dict):
            continue
        start = line_of(text, f'"{section}"')
        for name, raw in deps.items():
            if name.startswith("//"):
                continue  # npm's comment convention
            spec = str(raw)
            origin = npm_origin(spec)
            alias = re.match(r"^npm:(@?[^@]+)@(.+)$", spec)
            real, real_spec = (alias.group(1), alias.group(2)) if alias else (name, spec)
            out.packages.append(Package(real, Ecosystem.NPM, npm_pin(real_spec) if origin is Origin.REGISTRY
                                        else None, spec, True,
                                        SourceLocation(rel, line_of(text, f'"{name}"', start)), origin=origin))
    return data


def _lock_origin(resolved: str) -> Origin:
    if not resolved:
        return Origin.REGISTRY
    if resolved.startswith(("git+", "git:", "github:")):
        return Origin.GIT
    if resolved.startswith("file:"):
        return Origin.PATH
    if "registry.npmjs.org" in resolved or "registry.yarnpkg.com" in resolved:
        return Origin.REGISTRY
    return Origin.URL if resolved.startswith("http") else Origin.REGISTRY


def read_package_lock(path: Path, root: Path, out: Shipped) -> None:
    parsed = _parse(path, root, out, untrusted.json_loads, ValueError)
    if parsed is None:
        return
    text, data = parsed
    if not isinstance(data, dict):
        return
    rel = _rel(path, root)
    out.manifests.append(rel)
    out.npm_lock = True
    packages = data.get("packages")
    if isinstance(packages, dict):  # lockfile v2 / v3
        for key, entry in packages.items():
            if not key or key.startswith("//") or not isinstance(entry, dict) or entry.get("dev") or \
                    entry.get("link"):
                continue
            parts = key.split("node_modules/")
            name = entry.get("name") or parts[-1]
            parent = parts[-2].rstrip("/") if len(parts) > 2 else ""
            version = entry.get("version")
            out.packages.append(Package(str(name), Ecosystem.NPM, str(version) if version else None,
                                        str(version or ""), False, SourceLocation(rel, line_of(text, f'"{key}"')),
                                        origin=_lock_origin(str(entry.get("resolved", ""))), locked=True,
                                        hashed=bool(entry.get("integrity")), parent=parent))
        return

    def walk(deps: Any) -> Iterator[tuple[str, dict[str, Any]]]:  # lockfile v1: nested dependencies
        stack = [deps]
        while stack:
            current = stack.pop()
            if not isinstance(current, dict):
                continue
            for name, entry in current.items():
                if isinstance(entry, dict):
                    yield name, entry
                    stack.append(entry.get("dependencies"))

    for name, entry in walk(data.get("dependencies")):
        if entry.get("dev"):
            continue
        version = str(entry.get("version", ""))
        out.packages.append(Package(name, Ecosystem.NPM, version or None, version, False,
                                    SourceLocation(rel, line_of(text, f'"{name}"')),
                                    origin=_lock_origin(str(entry.get("resolved", version))), locked=True,
                                    hashed=bool(entry.get("integrity"))))


def _yarn_name(descriptor: str) -> str:
    descriptor = descriptor.strip().strip('"')
    at = descriptor.find("@", 1)
    return descriptor[:at] if at > 0 else descriptor


def read_yarn_lock(path: Path, root: Path, out: Shipped) -> None:
    """Classic (``version "1.2.3"``) and Berry (``version: 1.2.3``) yarn lockfiles."""
    text = _read(path, root, out)
    if text is None:
        return
    rel = _rel(path, root)
    out.manifests.append(rel)
    out.npm_lock = True
    names: list[str] = []
    header = 0
    resolved = ""
    for number, line in enumerate(text.splitlines(), 1):
        if line and not line[0].isspace() and line.rstrip().endswith(":") and not line.startswith("#"):
            names = sorted({_yarn_name(d) for d in line.rstrip()[:-1].split(",")} - {"__metadata"})
            header = number
            resolved = ""
            continue
        stripped = line.strip()
        if stripped.startswith(("resolved ", "resolution:")):
            resolved = stripped.split(None, 1)[1].strip('"') if " " in stripped else ""
        match = re.match(r'^\s+version:?\s+"?([^"\s]+)"?', line)
        if match and names:
            for name in names:
                out.packages.append(Package(name, Ecosystem.NPM, match.group(1), match.group(1), False,
                                            SourceLocation(rel, header), locked=True,
                                            origin=_lock_origin(resolved)))
            names = []


def read_pnpm_lock(path: Path, root: Path, out: Shipped) -> None:
    import yaml
    parsed = _parse(path, root, out, yaml.safe_load, yaml.YAMLError)
    if parsed is None:
        return
    text, data = parsed
    rel = _rel(path, root)
    out.manifests.append(rel)
    out.npm_lock = True
    packages = data.get("packages") if isinstance(data, dict) else None
    for key in packages if isinstance(packages, dict) else ():
        spec = str(key).lstrip("/").split("(")[0]
        match = re.match(r"^(@?[^@/]+(?:/[^@/]+)?)[@/](\d[^/]*)$", spec)
        if match:
            out.packages.append(Package(match.group(1), Ecosystem.NPM, match.group(2), match.group(2), False,
                                        SourceLocation(rel, line_of(text, str(key))), locked=True))


# ------------------------------------------------------------------------------------------------ a directory


def _vendored_node(directory: Path, root: Path, out: Shipped) -> list[tuple[Path, dict[str, Any]]]:
    found: list[tuple[Path, dict[str, Any]]] = []
    stack = [directory / "node_modules"]
    while stack and len(found) < MAX_VENDORED:
        modules = stack.pop()
        if not modules.is_dir() or modules.is_symlink():
            continue
        for child in sorted(modules.iterdir()):
            candidates = sorted(child.iterdir()) if child.name.startswith("@") and child.is_dir() else [child]
            for pkg in candidates:
                manifest = pkg / "package.json"
                if manifest.is_file() and not pkg.is_symlink():
                    data = read_package_json(manifest, root, out, vendored=True)
                    if data is not None:
                        found.append((manifest, data))
                    stack.append(pkg / "node_modules")
    return found


def read_directory(directory: Path, root: Path) -> tuple[Shipped, list[tuple[Path, dict[str, Any]]]]:
    """Every manifest, lockfile and vendored package of one package directory.

    Returns what was read and the vendored npm packages' manifests (for install-script checks)."""
    out = Shipped()
    if not directory.is_dir():
        return out, []
    listing = Listing(directory)
    # requirements.txt first (what a build installs): its -r includes are read through it, under its -c constraints;
    # a development or test requirements file is installed only on the developer's machine, never into the
    # function's package, unless a shipped file includes it
    requirements = sorted((p for p in listing.files("requirements*.txt") if not _dev_only(p.name)),
                          key=lambda p: (p.name != "requirements.txt", p.name))
    seen: set[Path] = set()
    for path in requirements:
        read_requirements(path, root, out, seen)
    if listing.is_file("pyproject.toml"):
        read_pyproject(directory / "pyproject.toml", root, out)
    if listing.is_file("poetry.lock"):
        _toml_packages(directory / "poetry.lock", root, out, "poetry")
    if listing.is_file("uv.lock"):
        _toml_packages(directory / "uv.lock", root, out, "uv")
    if listing.is_file("Pipfile.lock"):
        read_pipfile_lock(directory / "Pipfile.lock", root, out)
    if listing.any_dir("*.dist-info"):
        for meta in sorted(directory.glob("*.dist-info/METADATA"))[:MAX_VENDORED]:
            read_metadata(meta, root, out)
    if listing.is_dir("python"):
        for meta in sorted(directory.glob("python/*.dist-info/METADATA"))[:MAX_VENDORED]:  # layer layout
            read_metadata(meta, root, out)
    if listing.is_file("package.json"):
        read_package_json(directory / "package.json", root, out)
    for name in ("package-lock.json", "npm-shrinkwrap.json"):
        if listing.is_file(name):
            read_package_lock(directory / name, root, out)
    if listing.is_file("yarn.lock"):
        read_yarn_lock(directory / "yarn.lock", root, out)
    if listing.is_file("pnpm-lock.yaml"):
        read_pnpm_lock(directory / "pnpm-lock.yaml", root, out)
    vendored = _vendored_node(directory, root, out) if listing.is_dir("node_modules") else []
    if listing.is_dir("nodejs"):
        vendored += _vendored_node(directory / "nodejs", root, out)  # layer layout
    from remit.deps import dotnet, golang, jvm, ruby  # the other runtimes, each its own module

    for other in (jvm, golang, dotnet, ruby):
        other.read(listing, root, out)
    out.packages = merge(out.packages)
    return out, vendored


_DEV_PART = re.compile(r"(?:^|[-_.])(?:dev|devel|develop|development|test|tests|testing|lint|linting|docs?|ci|"
                       r"typing|local)(?:[-_.]|$)", re.IGNORECASE)


def _dev_only(name: str) -> bool:
    """A requirements file for development, tests, linting or docs (``requirements-dev.txt``,
    ``requirements_test.txt``): ``sam build`` and the other packagers install ``requirements.txt`` only."""
    rest = name[len("requirements"):-len(".txt")] if name.startswith("requirements") else name
    return bool(_DEV_PART.search(rest))


def merge(packages: list[Package]) -> list[Package]:
    """One entry per (ecosystem, name, version): a lockfile or vendored version fills a direct requirement's
    range, and keeps the manifest's line; names a manifest declares stay direct."""
    direct = {(p.ecosystem, p.key): p for p in packages if p.direct}
    merged: dict[tuple[Ecosystem, str, str | None], Package] = {}
    resolved: set[tuple[Ecosystem, str]] = set()
    for found in packages:
        if found.direct:
            continue
        p = found
        declared = direct.get((p.ecosystem, p.key))
        if declared is not None and not p.parent:
            resolved.add((p.ecosystem, p.key))
            if declared.version in (None, p.version):
                p = replace(p, direct=True, manifest=declared.manifest, spec=declared.spec, origin=declared.origin
                            if declared.origin is not Origin.REGISTRY else p.origin, hashed=declared.hashed or p.hashed)
        merged.setdefault((p.ecosystem, p.key, p.version), p)
    for p in packages:
        if not p.direct:
            continue
        if p.version is None and (p.ecosystem, p.key) in resolved and p.origin is Origin.REGISTRY:
            continue
        current = merged.get((p.ecosystem, p.key, p.version))
        if current is None or not current.direct:
            merged[(p.ecosystem, p.key, p.version)] = replace(
                p, vendored=current.vendored if current else False, locked=current.locked if current else False)
    return sorted(merged.values(), key=lambda p: (p.ecosystem.value, p.key, p.version or "", p.manifest))
