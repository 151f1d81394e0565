"""``Fn::Transform: {Name: AWS::Include, Parameters: {Location: ...}}`` with a local ``Location``, inlined.

CloudFormation replaces the transform with the snippet it names before anything else reads the template (and
``sam package`` / ``aws cloudformation package`` upload a local snippet and write its S3 URL). remit does the
same offline for a snippet inside the scanned root, so an OpenAPI body, a policy or a group of resources kept in
a file of its own is analysed with the template, and findings point at the snippet's own lines (through
``SourceMap.files``). The snippet files are listed in ``Document.includes``, so they are not scanned again as
documents of their own.

Where the transform is the only key of its mapping, the snippet replaces the mapping; beside other keys (a
``Resources`` section holding written resources and an include), the snippet's keys are added, and a key the
template writes itself wins. A snippet in S3, outside the root, missing or unreadable stays as written (the
model reads it as an explicit unknown) with an ``include-not-read`` diagnostic that names it; snippets inside
snippets are read too, up to :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.errors import LoadError
from remit.loaders.cloudformation import parse, read_text
from remit.loaders.discover import InputFile
from remit.loaders.marked import Loaded
from remit.loaders.serverless import _copy_marks, _scan_root
from remit.source import Path, SourceMap

INCLUDE = "AWS::Include"  # mentioned in the template's text: `cloudformation.load_template` checks before it calls
MAX_DEPTH = 4  # snippets including snippets
MAX_INCLUDES = 64  # snippets inlined into one template
MAX_NODES = 500_000  # nodes walked looking for includes (a hostile document stays bounded)


def _location(node: Mapping[str, Any]) -> Any:
    """The ``Location`` of an ``AWS::Include`` transform written as ``node``'s ``Fn::Transform``, else None."""
    transform = node.get("Fn::Transform")
    if not isinstance(transform, Mapping) or transform.get("Name") != INCLUDE:
        return None
    params = transform.get("Parameters")
    return params.get("Location") if isinstance(params, Mapping) else None


class _Inliner:
    def __init__(self, file: InputFile, marks: SourceMap) -> None:
        self.file = file
        self.root = _scan_root(file)
        self.marks: dict[Path, tuple[int, int]] = dict(marks.marks)
        self.files: dict[Path, str] = dict(marks.files)
        self.included: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.walked = 0

    def line(self, path: Path) -> int:
        return SourceMap(self.marks).position(path).line

    def not_read(self, where: Path, location: Any, why: str) -> None:
        shown = location if isinstance(location, str) else "a Location known only at deployment"
        self.diagnostics.append(Diagnostic(self.files.get(where, self.file.rel), Level.WARNING, "include-not-read",
                                           f"AWS::Include of {shown} is not inlined: {why}; what it holds is not "
                                           "analysed", self.line(where)))

    def snippet(self, location: Any, base: FsPath, where: Path) -> tuple[Loaded, str] | None:
        if not isinstance(location, str) or not location or "${" in location:
            self.not_read(where, location, "its Location is not a literal")
            return None
        if "://" in location:
            self.not_read(where, location, "remit reads only files inside the scanned root, never S3 or the network")
            return None
        target = (base / location).resolve()
        if not target.is_relative_to(self.root):
            self.not_read(where, location, "the file is outside the scanned root")
            return None
        if not target.is_file():
            self.not_read(where, location, "the file does not exist")
            return None
        if len(self.included) >= MAX_INCLUDES:
            self.not_read(where, location, f"more than {MAX_INCLUDES} snippets in one template")
            return None
        rel = target.relative_to(self.root).as_posix()
        text, problem = read_text(InputFile(target, rel))
        if text is None:
            self.not_read(where, location, problem.message if problem else "the file cannot be read")
            return None
        try:
            loaded = parse(text, target.suffix.lower())
        except LoadError as exc:
            self.not_read(where, location, f"{rel}:{exc.line or 1} is not valid YAML or JSON ({exc.message})")
            return None
        self.included.append(rel)
        return loaded, rel

    def inline(self, data: Any) -> Any:
        """``data`` with every local include inlined (edited in place; the caller's data is its own)."""
        holder = {"": data}
        stack: list[tuple[Any, Path, FsPath, int]] = [(holder, (), self.file.path.resolve().parent, 0)]
        while stack and self.walked < MAX_NODES:
            node, path, base, depth = stack.pop()
            self.walked += 1
            if isinstance(node, dict):
                location = _location(node)
                if location is not None:
                    node = self._expand(node, path, base, depth, holder, stack)
                    if node is None:
                        continue
                for key, value in node.items():
                    if isinstance(value, (dict, list)):
                        child = path if node is holder else (*path, key)
                        stack.append((value, child, self._base_of(child, base), depth))
            elif isinstance(node, list):
                stack.extend((value, (*path, i), base, depth) for i, value in enumerate(node)
                             if isinstance(value, (dict, list)))
        return holder[""]

    def _base_of(self, path: Path, base: FsPath) -> FsPath:
        """A snippet's own relative Locations are taken from its directory, as the author sees them."""
        in_file = self.files.get(path)
        return (self.root / in_file).parent if in_file else base

    def _expand(self, node: dict[str, Any], path: Path, base: FsPath, depth: int, holder: dict[str, Any],
                stack: list[tuple[Any, Path, FsPath, int]]) -> dict[str, Any] | None:
        """Inline the include ``node`` holds; the mapping to walk on, or None when it was replaced."""
        where = (*path, "Fn::Transform")
        if depth >= MAX_DEPTH:
            self.not_read(where, _location(node), f"snippets nested more than {MAX_DEPTH} deep")
            return node
        found = self.snippet(_location(node), base, where)
        if found is None:
            return node
        loaded, rel = found
        files: dict[Path, str] = {}
        if len(node) == 1:  # the snippet is the value
            self._replace(holder, path, loaded.data)
            _copy_marks(loaded.marks, self.marks, (), path, files, rel)
            self.files.update(files)
            stack.append((loaded.data, path, (self.root / rel).parent, depth + 1))
            return None
        node.pop("Fn::Transform")
        if not isinstance(loaded.data, dict):
            self.not_read(where, _location({"Fn::Transform": {"Name": INCLUDE, "Parameters": {"Location": rel}}}),
                          "beside other keys a snippet must be a mapping")
            return node
        for key, value in loaded.data.items():
            if key not in node:
                node[key] = value
                _copy_marks(loaded.marks, self.marks, (key,), (*path, key), files, rel)
        self.files.update(files)
        return node

    @staticmethod
    def _replace(holder: dict[str, Any], path: Path, value: Any) -> None:
        parent: Any = holder[""] if path else holder
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1] if path else ""] = value


def inline_includes(loaded: Loaded, file: InputFile) -> tuple[Loaded, tuple[str, ...], tuple[Diagnostic, ...]]:
    """The template with its local ``AWS::Include`` snippets inlined, the snippet files read (relative to the
    scanned root), and what could not be read."""
    inliner = _Inliner(file, loaded.marks)
    data = inliner.inline(loaded.data)
    if not inliner.included and not inliner.diagnostics:
        return loaded, (), ()
    marks = SourceMap(inliner.marks, inliner.files)
    return (Loaded(data, marks, loaded.warnings), tuple(dict.fromkeys(inliner.included)),
            tuple(inliner.diagnostics))
