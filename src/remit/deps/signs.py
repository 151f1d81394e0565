"""Supply-chain signs found without advisories: typosquatted names, install-time scripts, obfuscated execution,
unpinned or non-registry dependencies, requirements without hashes. Reads files; executes nothing."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.deps.facts import Ecosystem, Origin, Package, Sign, SignKind, normalise
from remit.deps.manifests import Shipped, _rel, line_of
from remit.source import SourceLocation

INSTALL_HOOKS = ("preinstall", "install", "postinstall")
CODE_SUFFIXES = {".py", ".js", ".mjs", ".cjs"}
MAX_CODE_FILES = 3_000
MAX_CODE_BYTES = 1_000_000
_SEPARATORS = re.compile(r"[-_.]")

_PY_DECODE = r"(b64decode|b32decode|b16decode|base64|a85decode|zlib\.decompress|marshal\.loads|codecs\.decode|" \
             r"bytes\.fromhex|\.decode\(\s*['\"](?:hex|rot13|base64)|rot_13)"
_PY_EXEC = re.compile(r"\b(exec|eval)\s*\((?=.*" + _PY_DECODE + ")")
_JS_EXEC = re.compile(r"\b(eval|Function|setTimeout|setInterval)\s*\((?=.*(Buffer\.from\([^)]*['\"](?:base64|hex)['\"]"
                      r"|atob\s*\())")
_BLOB = re.compile(r"['\"][A-Za-z0-9+/=]{200,}['\"]|['\"](?:\\x[0-9a-fA-F]{2}){60,}['\"]")
_RUNS = re.compile(r"\b(exec|eval|Function|compile)\s*\(")
_SETUP_WORK = re.compile(r"\b(urllib|urlopen|requests\.(get|post)|socket\.|http\.client|subprocess|os\.system|"
                         r"os\.popen|Popen|curl |wget )")


@cache
@cache
def popular(ecosystem: Ecosystem) -> frozenset[str]:
    """Widely used names of an ecosystem remit keeps a list for (PyPI, npm); empty for the others."""
    if ecosystem not in (Ecosystem.PYPI, Ecosystem.NPM):
        return frozenset()
    name = "popular_pypi.txt" if ecosystem is Ecosystem.PYPI else "popular_npm.txt"
    text = resources.files("remit.data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(normalise(ecosystem, line.strip()) for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def one_step(a: str, b: str) -> str | None:
    """How ``a`` is one step from ``b``: "edit", "swap" or "separator"; None when it is not."""
    if a == b:
        return None
    if _SEPARATORS.sub("", a) == _SEPARATORS.sub("", b):
        return "separator"
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return "edit"
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return "swap"
        return None
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(long_) - len(short) != 1:
        return None
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return "edit"
    return None


@cache
def _by_length(ecosystem: Ecosystem, length: int) -> tuple[str, ...]:
    """The popular names one length step or less from ``length``, sorted (read once per length, not per name)."""
    return tuple(sorted(n for n in popular(ecosystem) if abs(len(n) - length) <= 1))


def typosquat_of(ecosystem: Ecosystem, name: str) -> tuple[str, str] | None:
    """The popular name ``name`` imitates and how, or None. Names shorter than 5 characters are not judged (too
    many real packages sit one edit from each other)."""
    key = normalise(ecosystem, name)
    names = popular(ecosystem)
    if key in names or len(key) < 5:
        return None
    for candidate in _by_length(ecosystem, len(key)):
        if len(candidate) < 5:
            continue
        how = one_step(key, candidate)
        if how is not None:
            return candidate, how
    return None


def typosquats(packages: list[Package]) -> Iterator[Sign]:
    for p in packages:
        if not p.direct or p.origin is not Origin.REGISTRY:
            continue
        found = typosquat_of(p.ecosystem, p.name)
        if found:
            target, how = found
            yield Sign(SignKind.TYPOSQUAT, p.manifest,
                       f"{p.name} is one {how} away from the popular package {target}: a typosquat installs "
                       f"an attacker's code under a look-alike name", f"{p.key}|{target}", p.name)


def install_scripts(manifests: list[tuple[Path, dict[str, Any]]], own: Path | None, root: Path) -> Iterator[Sign]:
    """npm lifecycle scripts run at ``npm install``: in the function's own package.json and in shipped ones."""
    for path, data in ([(own, _json(own))] if own is not None else []) + manifests:
        if data is None:
            continue
        scripts = data.get("scripts")
        if not isinstance(scripts, dict):
            continue
        text = safeio.read_text(path, errors="replace")
        name = str(data.get("name") or path.parent.name)
        for hook in INSTALL_HOOKS:
            command = scripts.get(hook)
            if isinstance(command, str) and command.strip():
                yield Sign(SignKind.INSTALL_SCRIPT, SourceLocation(_rel(path, root), line_of(text, f'"{hook}"')),
                           f"{name} runs a {hook} script at install time: {command[:120]!r}",
                           f"{name}|{hook}", name)


def _json(path: Path) -> dict[str, Any] | None:

    try:
        data = untrusted.json_loads(safeio.read_text(path, errors="replace"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def setup_scripts(directory: Path, root: Path) -> Iterator[Sign]:
    """Vendored ``setup.py`` files that reach the network or start processes."""
    if not _has_subdirectory(directory):  # most function directories: the globs would scan it for nothing
        return
    for path in sorted(directory.glob("*/setup.py"))[:200] + sorted(directory.glob("*/*/setup.py"))[:200]:
        try:
            lines = safeio.read_text(path, errors="replace").splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, 1):
            match = _SETUP_WORK.search(line)
            if match and not line.lstrip().startswith(("#", "import ", "from ")):
                rel = _rel(path, root)
                yield Sign(SignKind.INSTALL_SCRIPT, SourceLocation(rel, number),
                           f"vendored {rel} does network or process work ({match.group(1).strip()}) when installed",
                           f"{rel}|{match.group(1).strip()}", path.parent.name)
                break


def _has_subdirectory(directory: Path) -> bool:
    """Whether ``directory`` holds a directory (or a link to one, as ``glob("*/...")`` follows it)."""
    try:
        with os.scandir(directory) as entries:
            return any(entry.is_dir() for entry in entries)
    except OSError:
        return True  # not listable here: let the globs decide as before


def _code_files(directory: Path) -> Iterator[Path]:
    count = 0
    stack = [directory]
    while stack and count < MAX_CODE_FILES:
        current = stack.pop()
        try:  # one scandir: its entries know their type without a stat apiece
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            child = current / entry.name
            if entry.is_dir() and entry.name not in ("__pycache__", ".git", "test", "tests"):
                stack.append(child)
            elif child.suffix in CODE_SUFFIXES and entry.is_file():
                count += 1
                yield child


def obfuscation(directory: Path, root: Path) -> Iterator[Sign]:
    """``exec(base64...)``, ``eval(Buffer.from(..., 'base64'))``, and long encoded blobs handed to exec/eval."""
    for path in _code_files(directory):
        try:
            if path.stat().st_size > MAX_CODE_BYTES:
                continue
            lines = safeio.read_text(path, errors="replace").splitlines()
        except OSError:
            continue
        python = path.suffix == ".py"
        for number, full in enumerate(lines, 1):
            line = full[:20000]
            if line.lstrip().startswith(("#", "//")):
                continue
            pattern = _PY_EXEC if python else _JS_EXEC
            match = pattern.search(line)
            blob = None
            if match is None and _RUNS.search(line):
                blob = _BLOB.search(line)
            if match is None and blob is None:
                continue
            rel = _rel(path, root)
            how = "code decoded at run time" if match else "a long encoded literal"
            yield Sign(SignKind.OBFUSCATED, SourceLocation(rel, number),
                       f"{rel} executes {how}: code hidden from review runs when the module loads",
                       f"{rel}|{line.strip()[:60]}")


_FLOATING = re.compile(r"[\[\](),*]|^(LATEST|RELEASE)$")


def _locked(p: Package, shipped: Shipped) -> bool:
    """Whether the build resolves ``p`` to one version every time: a lockfile; for Maven and NuGet also any
    version that is not a range or a float (a version a parent POM or central management gives is as fixed);
    Go modules and Gemfile.lock entries always."""
    if p.ecosystem is Ecosystem.PYPI:
        return shipped.py_lock
    if p.ecosystem is Ecosystem.NPM:
        return shipped.npm_lock
    if p.ecosystem in (Ecosystem.MAVEN, Ecosystem.NUGET):
        return shipped.other_lock or not _FLOATING.search(p.spec.strip())
    return True


def pinning(shipped: Shipped) -> Iterator[Sign]:
    """Unpinned direct dependencies without a lockfile; non-registry sources; requirements without hashes."""
    vendored = {(p.ecosystem, p.key) for p in shipped.packages if p.vendored}
    for p in shipped.packages:
        if not p.direct:
            continue
        if p.origin is not Origin.REGISTRY:
            yield Sign(SignKind.NON_REGISTRY, p.manifest,
                       f"{p.name} comes from a {p.origin.value} source ({p.spec[:100]}), not the registry: "
                       "nothing pins what it resolves to and advisories cannot be matched",
                       f"{p.key}|{p.spec}", p.name)
            continue
        locked = _locked(p, shipped)
        if p.version is None and not locked and (p.ecosystem, p.key) not in vendored:
            spec = p.spec or "any version"
            yield Sign(SignKind.UNPINNED, p.manifest,
                       f"{p.name} is declared as {spec!r} with no lockfile: each build may ship a different "
                       "(possibly compromised) release", f"{p.key}|{p.spec}", p.name)
    by_file: dict[str, list[Package]] = {}
    for p in shipped.packages:
        if p.direct and p.ecosystem is Ecosystem.PYPI and p.manifest.path.endswith(".txt") and \
                p.origin is Origin.REGISTRY:
            by_file.setdefault(p.manifest.path, []).append(p)
    for path, entries in sorted(by_file.items()):
        pinned = all(p.version is not None for p in entries)
        some_hashed = any(p.hashed for p in entries)
        unhashed = sorted((p for p in entries if not p.hashed), key=lambda p: p.manifest.line)
        if unhashed and (pinned or some_hashed):
            first = unhashed[0]
            why = "other lines carry hashes" if some_hashed else "every requirement is pinned"
            yield Sign(SignKind.NO_HASHES, first.manifest,
                       f"{path} pins versions but {len(unhashed)} requirement(s) carry no --hash ({why}): a "
                       "replaced release on the index would install unnoticed", path, first.name)
