"""Import aliases a bundler honours: ``compilerOptions.baseUrl`` and ``paths`` of ``tsconfig.json``.

esbuild (SAM's ``BuildMethod: esbuild``, ``serverless-esbuild``), webpack with ``tsconfig-paths`` and ``tsc``
resolve ``import { notify } from "@lib/queue"`` through the nearest ``tsconfig.json`` (or ``jsconfig.json``)
above the importing file: a pattern of ``paths`` (``"@lib/*": ["lib/*"]``) or, failing that, a file under
``baseUrl``. :class:`Aliases` answers the same question for the analysis, so a module reached through an alias
counts as the package's own code (followed, its SDK calls counted) rather than as a dependency.

Configuration files are read through :mod:`remit.safeio` and parsed by :func:`remit.untrusted.jsonc_loads`
(comments and trailing commas allowed); ``extends`` is followed for relative paths inside the scanned root,
a few levels deep. Nothing is resolved outside the scanned root.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.code.resolve import inside

__all__ = ["AliasConfig", "Aliases"]

CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")
MAX_CONFIG = 256 * 1024
MAX_EXTENDS = 4


@dataclass(frozen=True, slots=True)
class AliasConfig:
    """One configuration's aliases: ``base`` is where ``paths`` targets start (``baseUrl``, else the file's
    directory), ``base_url`` whether bare specifiers may name files under it, ``paths`` the patterns."""

    base: Path
    base_url: bool
    paths: tuple[tuple[str, tuple[str, ...]], ...]


class Aliases:
    """The aliases in force for each directory of one scanned root, each configuration read once."""

    def __init__(self, root: Path, lookup: Callable[[Path], Path | None]) -> None:
        self.root = root
        self._lookup = lookup  # a path without extension -> the source file a bundler picks, or None
        self._dirs: dict[Path, AliasConfig | None] = {}
        self._files: dict[Path, AliasConfig | None] = {}

    def resolve(self, specifier: str, importer: Path) -> Path | None:
        """The file of the package a bare ``specifier`` names from ``importer`` through an alias, or None (a
        dependency, a built-in, no configuration)."""
        if specifier.startswith((".", "/", "node:")) or not specifier:
            return None
        config = self.config_for(importer.parent)
        if config is None:
            return None
        for target in _candidates(config, specifier):
            found = self._lookup(target)
            if found is not None:
                real = found.resolve()  # "*": ["node_modules/*"] names dependencies, not the package's code
                return real if inside(real, self.root) and "node_modules" not in real.parts else None
        return None

    def config_for(self, directory: Path) -> AliasConfig | None:
        """The nearest configuration at or above ``directory``, up to the scanned root."""
        if directory in self._dirs:
            return self._dirs[directory]
        found: AliasConfig | None = None
        if inside(directory, self.root):
            for name in CONFIG_NAMES:
                candidate = directory / name
                if candidate.is_file():
                    found = self._read(candidate, 0)
                    break
            else:
                found = self.config_for(directory.parent) if directory != self.root else None
        self._dirs[directory] = found
        return found

    def _read(self, path: Path, depth: int) -> AliasConfig | None:
        if path in self._files:
            return self._files[path]
        self._files[path] = None  # a cycle of extends ends here
        found = self._parse(path, depth)
        self._files[path] = found
        return found

    def _parse(self, path: Path, depth: int) -> AliasConfig | None:
        try:
            data: Any = untrusted.jsonc_loads(safeio.read_text(path, MAX_CONFIG, errors="replace"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        parent: AliasConfig | None = None
        extends = data.get("extends")
        if isinstance(extends, str) and extends.startswith(".") and depth < MAX_EXTENDS:
            target = (path.parent / extends).resolve()
            if target.suffix != ".json":
                target = target.with_name(target.name + ".json")
            if inside(target, self.root) and target.is_file():
                parent = self._read(target, depth + 1)
        options = data.get("compilerOptions")
        options = options if isinstance(options, dict) else {}
        base_url = options.get("baseUrl")
        paths = options.get("paths")
        if not isinstance(base_url, str) and not isinstance(paths, dict):
            return parent
        base = (path.parent / base_url).resolve() if isinstance(base_url, str) else (
            parent.base if parent is not None and parent.base_url else path.parent)
        patterns = tuple((str(key), tuple(str(t) for t in value if isinstance(t, str)))
                         for key, value in paths.items() if isinstance(value, list)) \
            if isinstance(paths, dict) else (parent.paths if parent is not None else ())
        return AliasConfig(base, isinstance(base_url, str) or (parent is not None and parent.base_url), patterns)


def _candidates(config: AliasConfig, specifier: str) -> list[Path]:
    """Where TypeScript looks for ``specifier``: the most specific matching ``paths`` pattern's targets, then
    ``baseUrl``."""
    best: tuple[int, str, tuple[str, ...]] | None = None
    for pattern, targets in config.paths:
        if "*" not in pattern:
            if pattern == specifier:
                best = (len(pattern) + 1, "", targets)
                break
            continue
        prefix, _, suffix = pattern.partition("*")
        if specifier.startswith(prefix) and specifier.endswith(suffix) and \
                len(specifier) >= len(prefix) + len(suffix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), specifier[len(prefix):len(specifier) - len(suffix)], targets)
    out: list[Path] = []
    if best is not None:
        out += [_join(config.base, target.replace("*", best[1])) for target in best[2]]
    if config.base_url:
        out.append(_join(config.base, specifier))
    return out


def _join(base: Path, relative: str) -> Path:
    return Path(os.path.normpath(base / relative))
