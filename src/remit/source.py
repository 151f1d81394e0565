"""Where things are: documents, paths into them, and file:line locations.

Parsed data stays plain Python (dicts, lists, strings, numbers). Positions live beside it in a
:class:`SourceMap`, keyed by the path of keys and indexes that leads to a node. Rules and the model point at a
:class:`NodePath`; the engine turns it into a :class:`SourceLocation` once, using the longest prefix of the path
that exists in the document (a generated property that the author never wrote points at its nearest written
ancestor).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

PathKey = str | int
Path = tuple[PathKey, ...]


class Position(NamedTuple):
    """A 1-based line and column. A tuple, so the many marks of a document stay cheap to build and to pickle
    (documents cross process boundaries when remit reads files in parallel)."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class NodePath:
    """A node inside one document: the document's id (its path relative to the scan root) and a key path."""

    doc: str
    path: Path = ()

    def child(self, *parts: PathKey) -> NodePath:
        return NodePath(self.doc, self.path + parts)

    def __str__(self) -> str:
        return f"{self.doc}:/" + "/".join(str(p) for p in self.path)


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """A place a user can open: a path relative to the scanned root (POSIX separators) and a 1-based line.

    ``line`` is 1 when only the file is known.
    """

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Positions of the nodes of one parsed document.

    ``marks`` maps a key path to the (line, column) of the node's key (for a mapping entry) or of the item (for
    a sequence entry); the root path ``()`` is the document start.
    """

    marks: Mapping[Path, tuple[int, int]] = field(default_factory=dict)
    # the file a mark is in, when one document is assembled from several files (a Terraform module); a mark
    # not listed here is in the document's own file
    files: Mapping[Path, str] = field(default_factory=dict)

    def _chosen(self, path: Path) -> Path | None:
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                if end < len(path) and end >= 1 and path[end - 1] == "Properties" and end >= 3 and \
                        path[0] == "Resources" and path[: end - 1] in self.marks:
                    return path[: end - 1]
                return path[:end]
        return None

    def position(self, path: Path) -> Position:
        """The position of ``path`` or of its longest existing prefix.

        A property the author did not write points at its resource rather than at the ``Properties:`` line
        (a missing setting is a fact about the resource)."""
        chosen = self._chosen(path)
        return Position(1, 1) if chosen is None else Position(*self.marks[chosen])

    def file_of(self, path: Path) -> str | None:
        """The file holding the node :meth:`position` points at, when it is not the document's own file."""
        if not self.files:
            return None
        chosen = self._chosen(path)
        return None if chosen is None else self.files.get(chosen)

    def depth_known(self, path: Path) -> int:
        """How many leading parts of ``path`` exist in the document."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                return end
        return 0

    def has(self, path: Path) -> bool:
        return path in self.marks
