"""Reading the build files of the other runtimes (Java, Go, .NET, Ruby): their text as a lockfile, or their XML
(Maven ``pom.xml``, .NET project files) as elements with their line.

Build files are the scanned repository's, so hostile: a document type declaration (the only way to define
entities, and so entity expansion) is refused, nothing external is ever fetched, and depth is bounded.
Namespaces are dropped from tag names (``{http://maven.apache.org/POM/4.0.0}dependency`` is ``dependency``),
as build files use one default namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from remit.deps.manifests import Shipped, _bad, _read, _rel
from remit.errors import XmlError

MAX_DEPTH = 64


@dataclass
class Element:
    tag: str
    line: int
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def find(self, *path: str) -> Element | None:
        """The first element along ``path`` of child tags."""
        current: Element | None = self
        for tag in path:
            current = next((c for c in current.children if c.tag == tag), None) if current else None
        return current

    def all(self, *path: str) -> Iterator[Element]:
        """Every element at ``path`` (the last tag may repeat)."""
        parent = self.find(*path[:-1]) if len(path) > 1 else self
        if parent is not None:
            yield from (c for c in parent.children if c.tag == path[-1])

    def value(self, *path: str) -> str:
        """The stripped text at ``path``, "" when absent."""
        found = self.find(*path)
        return found.text.strip() if found is not None else ""


def parse(text: str) -> Element:
    """The document's root element. Raises XmlError."""
    import pyexpat  # noqa: PLC0415 - loaded on first use: most scans never need it

    parser = pyexpat.ParserCreate()
    stack: list[Element] = []
    root: list[Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise XmlError(f"nested deeper than {MAX_DEPTH} elements")
        element = Element(tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1], parser.CurrentLineNumber, dict(attrs))
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def data(chunk: str) -> None:
        if stack:
            stack[-1].text += chunk

    def doctype(*args: object) -> None:
        raise XmlError("a document type declaration (DTD) is not read in a build file")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = doctype
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(text, True)
    except pyexpat.ExpatError as exc:
        raise XmlError(str(exc)) from None
    if not root:
        raise XmlError("no root element")
    return root[0]


def read_lock(path: Path, root: Path, out: Shipped) -> tuple[str, str] | None:
    """A lockfile's text and path relative to the root, recorded as read and as a lock; None when unreadable."""
    text = _read(path, root, out)
    if text is None:
        return None
    rel = _rel(path, root)
    out.manifests.append(rel)
    out.other_lock = True
    return text, rel


def read_xml(path: Path, root: Path, out: Shipped) -> tuple[Element, str] | None:
    """A build file's root element and its path relative to the root; None (with a diagnostic) when it cannot
    be read or parsed. Not yet recorded as read: only a file that declares packages is."""
    text = _read(path, root, out)
    if text is None:
        return None
    try:
        return parse(text.lstrip("\ufeff")), _rel(path, root)
    except XmlError as exc:
        _bad(path, root, out, exc)
        return None
