"""Resources as the model holds them: resolved properties plus where the author wrote them.

Every resource the model sees is a CloudFormation resource (SAM is expanded first). Its :class:`Origin` says
which resource of the author's own document produced it and how its property paths map back there, so a
finding on a generated ``AWS::Lambda::Url`` points at the ``FunctionUrlConfig`` the author wrote, and one on a
property inherited from ``Globals`` points at the ``Globals`` section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from remit.model.values import Value, text
from remit.source import NodePath, Path, PathKey, SourceMap


@dataclass(frozen=True, slots=True, order=True)
class ResourceId:
    """A resource of one document: the document's id and the logical id (after SAM expansion)."""

    doc: str
    logical_id: str

    def __str__(self) -> str:
        return self.logical_id


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the author wrote a resource, and how its property paths map back to that place.

    ``prefix`` is where this resource's ``Properties`` live inside the author's resource (for a SAM function's
    URL: ``("Properties", "FunctionUrlConfig")``); ``rewrites`` rename leading property keys
    (``Code`` -> ``CodeUri``); ``fallback`` is a section such as ``("Globals", "Function")`` that may hold a
    property the resource itself does not write.
    """

    doc: str
    logical_id: str
    generated: bool = False
    prefix: Path = ("Properties",)
    rewrites: tuple[tuple[Path, Path], ...] = ()
    fallback: Path | None = None
    marks: SourceMap = field(default_factory=SourceMap, repr=False, compare=False)

    @property
    def node(self) -> NodePath:
        """What the author wrote for this resource: the resource itself, or the part of a SAM resource that
        generated it (a function's event, its ``FunctionUrlConfig``...)."""
        if self.generated and len(self.prefix) > 1:
            part = self.prefix[:-1] if self.prefix[-1] == "Properties" else self.prefix
            return NodePath(self.doc, ("Resources", self.logical_id, *part))
        return NodePath(self.doc, ("Resources", self.logical_id))

    def locate(self, prop_path: Path) -> NodePath:
        rel = prop_path
        for src, dst in self.rewrites:
            if rel[: len(src)] == src:
                rel = dst + rel[len(src) :]
                break
        base: Path = ("Resources", self.logical_id, *self.prefix)
        own = base + rel
        if self.fallback is None:
            return NodePath(self.doc, own)
        own_known = self.marks.depth_known(own) - len(base)
        if own_known >= len(rel) or not self.marks.has(self.fallback):
            return NodePath(self.doc, own)
        shared = self.fallback + rel
        shared_known = self.marks.depth_known(shared) - len(self.fallback)
        return NodePath(self.doc, shared if shared_known > max(own_known, 0) else own)


@dataclass(frozen=True, slots=True)
class Resource:
    """A CloudFormation resource with intrinsic functions resolved (see :mod:`remit.model.intrinsics`)."""

    id: ResourceId
    type: str
    properties: Mapping[str, Value]
    origin: Origin
    metadata: Mapping[str, Any] = field(default_factory=dict)
    condition: str | None = None  # the resource's own Condition, when it has one

    @property
    def logical_id(self) -> str:
        return self.id.logical_id

    @property
    def doc(self) -> str:
        return self.id.doc

    @property
    def display(self) -> str:
        """The name a user recognises: the author's logical id, with the generated one when they differ."""
        if self.origin.logical_id == self.id.logical_id:
            return self.id.logical_id
        return f"{self.origin.logical_id} ({self.id.logical_id})"

    def prop(self, *path: PathKey) -> Value:
        """The resolved property at ``path`` (None when not set)."""
        node: Any = self.properties
        for key in path:
            if isinstance(node, Mapping) and isinstance(key, str):
                node = node.get(key)
            elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
                node = node[key]
            else:
                return None
        value: Value = node
        return value

    def text(self, *path: PathKey) -> str | None:
        return text(self.prop(*path))

    def at(self, *path: PathKey) -> NodePath:
        """The author's node for a property path (relative to ``Properties``)."""
        return self.origin.locate(path)

    @property
    def node(self) -> NodePath:
        return self.origin.node
