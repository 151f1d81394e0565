"""The one guarded way remit opens a file of the scanned repository.

The scanned repository is hostile input (a pull request from a fork). Every read of its files goes through
:func:`open_file` (or :func:`read_bytes` / :func:`read_text`), which

* resolves the path (every symbolic link on the way) and refuses a file outside the scanned root, unless the
  user named that file or a directory holding it on the command line (``--config``, ``--baseline``,
  ``--advisories``, remit's own advisory cache);
* refuses anything that is not a regular file: devices (``/dev/zero``), FIFOs (which would block the scan),
  sockets, directories;
* checks the size limit on the file it opened (``fstat`` of the descriptor, then a bounded read), never on a
  ``stat`` of a path that may change in between.

A refusal is an :class:`OSError` subclass whose ``strerror`` says why in words that name neither the target
of a link nor any directory of the scanning machine, so call sites that already turn ``OSError`` into a
diagnostic need no other change, and a refused file's content is never read, so it cannot be quoted.

The scope (the root and the paths the user named) is set for the duration of a scan with :func:`confined`;
the stages read it from a context variable rather than threading the root through every loader. Outside a
scan (a library caller reading one template) only the regular-file and size checks apply.
"""

from __future__ import annotations

import contextvars
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from remit.errors import Refused

DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # no single input remit reads is larger; templates stop at 50 MB


class OutsideRoot(Refused):
    def __init__(self) -> None:
        super().__init__("the file lies outside the scanned root (through a link or a path): not read")


class NotRegular(Refused):
    def __init__(self, kind: str) -> None:
        super().__init__(f"not a regular file ({kind}): not read")


class TooLarge(Refused):
    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"{size} bytes" if size is not None else "larger than that"
        super().__init__(f"file is {shown}, over the {limit}-byte limit: not read", errno.EFBIG)
        self.size = size
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Scope:
    """Where reads may go: under ``root``, or under one of ``allowed`` (paths the user named), all resolved."""

    root: Path
    allowed: tuple[Path, ...] = ()

    def admits(self, real: Path) -> bool:
        return any(real == top or real.is_relative_to(top) for top in (self.root, *self.allowed))


_SCOPE: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("remit_read_scope", default=None)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


@contextmanager
def confined(root: Path, allowed: Iterable[Path | None] = ()) -> Iterator[Scope]:
    """Reads inside the block are refused outside ``root`` and ``allowed`` (None entries are skipped)."""
    scope = Scope(_real(root), tuple(_real(p) for p in allowed if p is not None))
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def current_scope() -> Scope | None:
    return _SCOPE.get()


def inside(path: Path) -> bool:
    """Whether ``path`` (resolved) may be read in the current scope. Says nothing about what it is."""
    scope = _SCOPE.get()
    return scope is None or scope.admits(_real(path))


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def open_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> BinaryIO:
    """Open a file of the scanned tree for binary reading, after the checks above. Raises :class:`Refused`
    (or another ``OSError`` from the system)."""
    real = _real(path)
    scope = _SCOPE.get()
    if scope is not None and not scope.admits(real):
        raise OutsideRoot
    # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the resolved path is read as checked
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused("the path changed into a link while it was opened: not read") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(_kind(st.st_mode))
        if st.st_size > max_bytes:
            raise TooLarge(st.st_size, max_bytes)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The whole content of a file of the scanned tree, at most ``max_bytes`` (a file that grows past the
    limit while it is read is refused too)."""
    with open_file(path, max_bytes) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(None, max_bytes)
    return data


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, errors: str = "strict") -> str:
    """``read_bytes`` decoded as UTF-8 (``errors`` as for ``bytes.decode``)."""
    return read_bytes(path, max_bytes).decode("utf-8", errors=errors)


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file of the scanned tree (to recognise it), whatever its total size."""
    with open_file(path, max_bytes=2**63 - 1) as fh:
        return fh.read(size)
