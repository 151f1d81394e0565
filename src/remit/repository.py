"""Where the scanned root sits in its repository: the prefix that makes report paths repository-relative.

Findings carry paths relative to the scanned root. Code-scanning services (GitHub, GitLab) and CI test
dashboards want them relative to the repository: ``remit scan infra/`` must report ``infra/template.yaml``,
not ``template.yaml``. The repository root is the top of the git work tree the scanned root is in, found by
walking up for ``.git`` (a directory, or a ``gitdir:`` file in a linked worktree or a submodule) without
running git; outside any work tree it is the scanned root itself. Only the ``.git`` entries on the way up are
looked at, and of a ``.git`` file only its first bytes.
"""

from __future__ import annotations

from pathlib import Path

from remit.errors import UsageProblem

GITDIR_MARK = b"gitdir:"


def _is_git_marker(marker: Path) -> bool:
    try:
        if marker.is_dir():
            return True
        if marker.is_file():
            with marker.open("rb") as fh:
                return fh.read(len(GITDIR_MARK)) == GITDIR_MARK
    except OSError:
        return False
    return False


def repository_root(start: Path) -> Path | None:
    """The top of the git work tree holding ``start`` (``start`` itself or its nearest parent with a ``.git``);
    None when ``start`` is in no work tree."""
    here = start.resolve()
    for directory in (here, *here.parents):
        if _is_git_marker(directory / ".git"):
            return directory
    return None


def source_prefix(root: Path, source_root: Path | None = None) -> str:
    """The POSIX path of the scanned ``root`` relative to the source root: ``source_root`` when given, else the
    repository root, else ``root`` (then the prefix is empty). Raises ValueError when ``root`` is not inside
    ``source_root``."""
    real = root.resolve()
    if source_root is not None:
        base = source_root.resolve()
        if not real.is_relative_to(base):
            raise UsageProblem(f"the scanned paths are not inside the source root {source_root}")
    else:
        base = repository_root(real) or real
    relative = real.relative_to(base).as_posix()
    return "" if relative == "." else relative


def join(prefix: str, path: str) -> str:
    """A path relative to the scanned root, made relative to the source root."""
    if not prefix:
        return path
    return f"{prefix}/{path}" if path else prefix
