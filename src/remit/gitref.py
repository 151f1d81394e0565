"""The files of a git commit, for ``--baseline-ref``: read from the object store into a temporary directory.

The scanned repository is hostile input, and so is its git configuration: ``core.fsmonitor``, hooks, and
clean/smudge filters named in ``.gitattributes`` can all run programs. So remit never checks anything out (a
checkout or ``git archive`` runs smudge filters; ``git worktree add`` runs hooks) and never touches the user's
work tree, index, HEAD, stash or worktree list. It asks git only for plumbing that reads objects —
``rev-parse``, ``ls-tree``, ``cat-file --batch`` — with hooks and the fsmonitor switched off, transports
forbidden (a partial clone would otherwise fetch missing objects), no system config and no ``GIT_*`` variables
from the caller's environment, and a time limit. Blobs are written by remit itself, byte for byte, under a
temporary directory that is removed afterwards, whatever happens (KeyboardInterrupt included). Paths from the
tree are checked before anything is written; symbolic links are recreated only when they stay inside the
exported tree; submodules are not followed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from remit.errors import GitRefError

GIT_TIMEOUT = 120.0  # seconds, for each git command (reading every blob of a large tree included)
MAX_BLOB = 64 * 1024 * 1024  # larger files are left out: no input remit reads is that large
SAFE_CONFIG = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "protocol.allow=never",
               "-c", "core.pager=cat", "--no-pager", "--literal-pathspecs")


@dataclass(frozen=True, slots=True)
class RefTree:
    """A commit's files under ``root`` (a temporary directory), laid out as in the repository."""

    ref: str  # as the user wrote it
    commit: str  # the full sha it resolved to
    root: Path
    targets: tuple[Path, ...]  # the scanned paths, mapped into ``root``


def git_env() -> dict[str, str]:
    """The caller's environment without anything that redirects or configures git, plus remit's safeguards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", GIT_NO_LAZY_FETCH="1", GIT_OPTIONAL_LOCKS="0",
               GIT_PAGER="cat", LC_ALL="C")
    return env


def _git_binary() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitRefError("--baseline-ref needs git, and no git program was found on PATH")
    return found


def _git(git: str, cwd: Path, *args: str, timeout: float = GIT_TIMEOUT) -> str:
    try:
        done = subprocess.run([git, *SAFE_CONFIG, "-C", str(cwd), *args], capture_output=True, env=git_env(),
                              stdin=subprocess.DEVNULL, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GitRefError(f"git {args[0]} did not finish within {timeout:.0f} seconds") from None
    except OSError as exc:
        raise GitRefError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitRefError(message[-1] if message else f"git {args[0]} failed (exit {done.returncode})")
    return done.stdout.decode("utf-8", "surrogateescape")


def work_tree(path: Path, git: str) -> Path:
    """The top of the git work tree holding ``path``."""
    start = path if path.is_dir() else path.parent
    try:
        top = _git(git, start, "rev-parse", "--show-toplevel").strip()
    except GitRefError as exc:
        raise GitRefError(f"{path} is not inside a git work tree ({exc})") from None
    if not top:
        raise GitRefError(f"{path} is not inside a git work tree")
    return Path(top).resolve()


def resolve(ref: str, top: Path, git: str) -> str:
    """The commit ``ref`` names, as a full sha."""
    if not ref.strip() or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise GitRefError(f"{ref!r} is not a git revision")
    try:
        sha = _git(git, top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitRefError:
        sha = ""
    if not sha:
        raise GitRefError(f"unknown git revision {ref!r} in {top.name}: not a branch, tag or commit there")
    return sha


@dataclass(frozen=True, slots=True)
class _Entry:
    mode: str
    sha: str
    path: PurePosixPath


def _safe(path: str) -> PurePosixPath | None:
    """A tree path remit may write: relative, no empty, ``.``, ``..`` or ``.git`` component."""
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") or p.lower() == ".git" or "\\" in p
                                               for p in parts):
        return None
    return PurePosixPath(path)


def list_tree(git: str, top: Path, commit: str, under: str) -> list[_Entry]:
    """The blobs and links of ``commit`` below ``under`` (a repository-relative directory, "" for all)."""
    args = ["ls-tree", "-r", "-z", "--full-tree", commit]
    if under:
        args += ["--", under]
    out: list[_Entry] = []
    prefix = under.rstrip("/") + "/" if under else ""
    for record in _git(git, top, *args).split("\0"):
        head, tab, name = record.partition("\t")
        fields = head.split()
        if not tab or len(fields) != 3:
            continue
        mode, kind, sha = fields
        if kind != "blob" or (prefix and not name.startswith(prefix)):
            continue  # submodules (commits) are not followed
        safe = _safe(name)
        if safe is not None:
            out.append(_Entry(mode, sha, safe))
    return out


def _read_blobs(git: str, top: Path, shas: Sequence[str], timeout: float) \
        -> Generator[tuple[str, bytes | None]]:
    """``(sha, content)`` for each sha, from one ``git cat-file --batch``; None for a blob too large to keep."""
    proc = subprocess.Popen([git, *SAFE_CONFIG, "-C", str(top), "cat-file", "--batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env())
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, stop)
    stdin, stdout = proc.stdin, proc.stdout
    if stdin is None or stdout is None:  # both were requested as pipes: never true
        raise GitRefError("cannot talk to git cat-file")

    def feed(pipe: IO[bytes]) -> None:
        try:
            with pipe:
                for sha in shas:
                    pipe.write(sha.encode("ascii") + b"\n")
        except (BrokenPipeError, OSError, ValueError):
            pass  # git went away (killed on timeout): the reader notices

    writer = threading.Thread(target=feed, args=(stdin,), daemon=True)
    timer.start()
    writer.start()

    def broken() -> GitRefError:
        if timed_out.is_set():
            return GitRefError(f"git did not finish reading the commit's files within {timeout:.0f} seconds")
        return GitRefError("git cat-file stopped before it had read every file of the commit")

    try:
        for _ in shas:
            header = stdout.readline().decode("ascii", "replace").split()
            if len(header) != 3 or header[1] != "blob" or not header[2].isdigit():
                raise broken()
            size = int(header[2])
            if size > MAX_BLOB:
                left = size + 1
                while left:
                    chunk = stdout.read(min(left, 1 << 20))
                    if not chunk:
                        raise broken()
                    left -= len(chunk)
                yield header[0], None
                continue
            data = stdout.read(size + 1)
            if len(data) != size + 1:
                raise broken()
            yield header[0], data[:-1]
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()
        stdout.close()
        writer.join(timeout=5)


def _write_file(dest: Path, data: bytes, executable: bool) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(dest, flags, 0o755 if executable else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _link_inside(path: PurePosixPath, target: str) -> bool:
    if not target or target.startswith("/") or "\0" in target or "\\" in target:
        return False
    joined = os.path.normpath(str(path.parent / target))
    return not (joined == ".." or joined.startswith(("../", "/")))


def _within(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(root)


def _write_blobs(blobs: Iterator[tuple[str, bytes | None]], by_sha: dict[str, list[_Entry]], dest: Path,
                 links: list[tuple[_Entry, str]]) -> None:
    for sha, data in blobs:
        if data is None:
            continue
        for entry in by_sha.get(sha, ()):
            if entry.mode == "120000":
                links.append((entry, data.decode("utf-8", "surrogateescape")))
                continue
            try:
                _write_file(dest.joinpath(*entry.path.parts), data, entry.mode == "100755")
            except OSError:
                continue  # a path clash a hostile tree may contain (a file where a directory is): left out


def export(git: str, top: Path, commit: str, under: str, dest: Path, timeout: float = GIT_TIMEOUT) -> None:
    """Write the files of ``commit`` below ``under`` into ``dest`` (regular files first, then the links)."""
    entries = list_tree(git, top, commit, under)
    by_sha: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_sha.setdefault(entry.sha, []).append(entry)
    links: list[tuple[_Entry, str]] = []
    blobs = _read_blobs(git, top, list(by_sha), timeout)
    with closing(blobs):  # git is stopped at once, even when writing fails or the user interrupts
        _write_blobs(blobs, by_sha, dest, links)
    for entry, target in links:
        where = dest.joinpath(*entry.path.parts)
        if not _link_inside(entry.path, target):
            continue
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            if not _within(where.parent, dest):
                continue
            os.symlink(target, where)
            if not _within(where, dest):  # through another link the target may still leave the tree
                where.unlink()
        except OSError:
            continue


@contextmanager
def ref_tree(targets: Sequence[Path], ref: str, *, timeout: float = GIT_TIMEOUT) -> Iterator[RefTree]:
    """The files of ``ref`` for the work tree holding ``targets``, in a temporary directory that is removed
    when the block ends. Raises :class:`GitRefError` when the comparison cannot be made."""
    git = _git_binary()
    if not targets:
        raise GitRefError("--baseline-ref needs a path to scan")
    resolved = [t.resolve() for t in targets]
    missing = [str(t) for t, r in zip(targets, resolved, strict=True) if not r.exists()]
    if missing:
        raise GitRefError(f"no such file or directory: {', '.join(missing)}")
    top = work_tree(resolved[0], git)
    rels: list[PurePosixPath] = []
    for target, real in zip(targets, resolved, strict=True):
        try:
            rels.append(PurePosixPath(real.relative_to(top).as_posix()))
        except ValueError:
            raise GitRefError(f"{target} is not inside the git work tree {top}") from None
    commit = resolve(ref, top, git)
    dirs = [rel if real.is_dir() else rel.parent for rel, real in zip(rels, resolved, strict=True)]
    common = os.path.commonpath([str(d) for d in dirs]) if dirs else "."
    under = "" if common in (".", "") else PurePosixPath(common).as_posix()
    with tempfile.TemporaryDirectory(prefix="remit-ref-") as tmp:
        root = Path(tmp).resolve()
        export(git, top, commit, under, root, timeout)
        mapped: list[Path] = []
        for rel, real in zip(rels, resolved, strict=True):
            there = root.joinpath(*rel.parts) if str(rel) != "." else root
            # a path the commit does not have is scanned as empty, so the scanned root (and with it every
            # fingerprint's file name) is the same as in the work tree
            if not there.exists() and not there.is_symlink():
                if real.is_dir():
                    there.mkdir(parents=True, exist_ok=True)
                else:
                    there.parent.mkdir(parents=True, exist_ok=True)
                    there.touch()
            mapped.append(there)
        yield RefTree(ref, commit, root, tuple(mapped))
