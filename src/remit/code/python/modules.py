"""Python modules as the analyzer sees them: each file read and parsed once, with what its top level defines.

:class:`ParseCache` is shared by every function of a scan, so a package deployed by several functions (one
``CodeUri``, several handlers) is parsed once. Files that are too large, binary, not UTF-8 or not valid Python
become diagnostics, once per file.
"""

from __future__ import annotations

import ast
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from remit import safeio
from remit.diagnostics import Diagnostic, Level
from remit.source import SourceLocation

MAX_BYTES = 1_000_000  # larger files are generated or vendored bundles, not handler code


@dataclass(slots=True)
class Module:
    """One parsed Python file. ``rel`` is its path relative to the scanned root (the template, for inline
    code, whose lines start at ``line_offset + 1``)."""

    path: Path
    rel: str
    tree: ast.Module
    line_offset: int = 0
    _info: ModuleInfo | None = field(default=None, repr=False)

    def loc(self, node: ast.AST) -> SourceLocation:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        return SourceLocation(self.rel, line + self.line_offset, col + 1)

    @property
    def nodes(self) -> tuple[ast.AST, ...]:
        return walk(self.tree)

    @property
    def info(self) -> ModuleInfo:
        if self._info is None:
            self._info = ModuleInfo.of(self.tree)
        return self._info


@dataclass(frozen=True, slots=True)
class ImportRef:
    """A name bound by an import: ``module`` (dotted, absolute unless ``level`` > 0) and ``attr`` for
    ``from module import attr``."""

    module: str
    attr: str | None = None
    level: int = 0


@dataclass(slots=True)
class ModuleInfo:
    """What a module's top level binds: functions, classes, imports, assigned names and their values."""

    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    imports: dict[str, ImportRef] = field(default_factory=dict)
    assigned: dict[str, ast.expr] = field(default_factory=dict)  # the last value written at the top level
    mutable: set[str] = field(default_factory=set)  # top-level names holding a dict / list / set
    imported_modules: set[str] = field(default_factory=set)  # every absolute module imported anywhere
    imported_names: set[str] = field(default_factory=set)  # ``from X import Y`` anywhere, as ``X.Y``
    import_refs: list[ImportRef] = field(default_factory=list)  # every import anywhere, as the module may follow

    @classmethod
    def of(cls, tree: ast.Module) -> ModuleInfo:
        info = cls()
        for statement in tree.body:
            info._top(statement)
        refs = info.import_refs
        for node in walk(tree):
            if isinstance(node, ast.Import):
                info.imported_modules.update(alias.name for alias in node.names)
                refs.extend(ImportRef(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module:
                    info.imported_modules.add(node.module)
                    info.imported_names.update(f"{node.module}.{alias.name}" for alias in node.names)
                refs.extend(ImportRef(node.module or "", alias.name, node.level) for alias in node.names)
                refs.append(ImportRef(node.module or "", None, node.level))
        return info

    def _top(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            self.classes[node.name] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.imports.update(import_bindings(node))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._assign(target.id, node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self._assign(node.target.id, node.value)
        elif isinstance(node, (ast.If, ast.Try)):
            for child in [*node.body, *node.orelse, *getattr(node, "finalbody", [])]:
                self._top(child)

    def _assign(self, name: str, value: ast.expr) -> None:
        self.assigned[name] = value
        if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)) or (
                isinstance(value, ast.Call) and _callee_name(value.func) in
                {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter", "collections.defaultdict",
                 "collections.OrderedDict", "collections.deque"}):
            self.mutable.add(name)
        else:
            self.mutable.discard(name)


def _callee_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def import_bindings(node: ast.Import | ast.ImportFrom) -> dict[str, ImportRef]:
    """The names an import statement binds."""
    out: dict[str, ImportRef] = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                out[alias.asname] = ImportRef(alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                out[top] = ImportRef(top)
        return out
    for alias in node.names:
        if alias.name == "*":
            continue
        out[alias.asname or alias.name] = ImportRef(node.module or "", alias.name, node.level)
    return out


_NODES: weakref.WeakKeyDictionary[ast.AST, tuple[ast.AST, ...]] = weakref.WeakKeyDictionary()


def walk(tree: ast.AST) -> tuple[ast.AST, ...]:
    """Every node under ``tree`` in :func:`ast.walk` order, listed once per tree (and forgotten with it): the
    per-file passes (imports, secrets, docstrings, JWTs, SDK calls) filter this list instead of each walking
    the tree again, which costs ten times more than reading the list."""
    found = _NODES.get(tree)
    if found is None:
        found = _NODES[tree] = tuple(nodes(tree))
    return found


def nodes(node: ast.AST) -> list[ast.AST]:
    """``node`` and every node under it, in the order :func:`ast.walk` yields them (breadth first, fields in
    declaration order), as a list: about half the cost of ``ast.walk``, whose two nested generators run per
    node. The SDK extractor walks every expression statement of every file, so this is a hot loop."""
    found = [node]
    append = found.append
    for current in found:  # the list grows while it is read: breadth first
        for name in current._fields:
            try:
                value = getattr(current, name)
            except AttributeError:  # an optional field the node was built without
                continue
            if isinstance(value, ast.AST):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
    return found


class ParseCache:
    """Every Python file of a scan, read and parsed at most once; problems become diagnostics, once. Import
    names are resolved to files once per (name, search path, importing directory, level) too."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._modules: dict[Path, Module | None] = {}
        self._found: dict[tuple[str, tuple[Path, ...], Path | None, int], Path | None] = {}
        self._listed: dict[str, frozenset[str] | None] = {}  # directory (as joined) -> its names
        self.diagnostics: list[Diagnostic] = []

    def find(self, dotted: str, search_path: tuple[Path, ...], importer: Path | None = None,
             level: int = 0) -> Path | None:
        """:func:`find_module`, remembered for the scan (the files do not change while it runs)."""
        key = (dotted, search_path, importer.parent if importer is not None else None, level)
        if key in self._found:
            return self._found[key]
        found = self._found[key] = find_module(dotted, search_path, importer, level, self._may_exist)
        return found

    def _may_exist(self, directory: str, name: str) -> bool:
        """Whether ``directory/name`` may exist: ``name`` is in the directory's listing, read once per directory for
        the scan (asking each candidate file of each import costs a ``stat`` apiece; most of them do not exist)."""
        if directory not in self._listed:
            try:
                self._listed[directory] = frozenset(os.listdir(directory))
            except (FileNotFoundError, NotADirectoryError):
                self._listed[directory] = frozenset()  # no such directory (a package that is not there): nothing in it
            except (OSError, ValueError):
                self._listed[directory] = None  # not listable: ask the file itself
        names = self._listed[directory]
        return names is None or name in names

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def module(self, path: Path) -> Module | None:
        """The parsed module at ``path`` (absolute, resolved), or None when it cannot be read."""
        if path in self._modules:
            return self._modules[path]
        found = self._read(path)
        self._modules[path] = found
        return found

    def inline(self, key: str, text: str, rel: str, first_line: int) -> Module | None:
        """Inline code from a template (``InlineCode`` / ``ZipFile``), located in the template."""
        path = Path("<inline>") / key
        if path not in self._modules:
            self._modules[path] = self._parse(path, text, rel, first_line - 1)
        return self._modules[path]

    def _diag(self, rel: str, message: str, code: str, line: int | None = None,
              level: Level = Level.WARNING) -> None:
        self.diagnostics.append(Diagnostic(rel, level, code, message, line))

    def _read(self, path: Path) -> Module | None:
        rel = self.rel(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                self._diag(rel, f"not analysed: {size} bytes is more than the {MAX_BYTES} bytes remit reads "
                                f"from one source file", "code-file-too-large")
                return None
            data = safeio.read_bytes(path, MAX_BYTES)
        except OSError as exc:
            self._diag(rel, f"not analysed: cannot read the file ({exc.strerror or exc})", "code-unreadable")
            return None
        if b"\0" in data:
            self._diag(rel, "not analysed: the file is binary", "code-binary")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self._diag(rel, "not analysed: the file is not UTF-8 text", "code-encoding")
            return None
        return self._parse(path, text, rel, 0)

    def _parse(self, path: Path, text: str, rel: str, offset: int) -> Module | None:
        try:
            tree = ast.parse(text, filename=rel)
        except SyntaxError as exc:
            line = (exc.lineno or 0) + offset or None
            self._diag(rel, f"not analysed: Python syntax error: {exc.msg}", "code-syntax-error", line)
            return None
        except (ValueError, RecursionError, MemoryError) as exc:
            self._diag(rel, f"not analysed: the file cannot be parsed ({type(exc).__name__})", "code-parse-error")
            return None
        return Module(path, rel, tree, offset)


def find_module(dotted: str, search_path: tuple[Path, ...], importer: Path | None = None,
                level: int = 0, may_exist: Callable[[str, str], bool] | None = None) -> Path | None:
    """The file a module name resolves to inside the search path (or relative to ``importer`` for a
    relative import), or None for a module that is not part of the deployed package (stdlib, dependency).
    ``may_exist(directory, name)`` rules candidates out before they are asked for (a cached directory listing).
    Candidates are joined as strings: this runs for every import of every function, and pathlib's joins and
    hashes were most of its cost."""
    parts = [p for p in dotted.split(".") if p]
    bases: list[Path]
    if level > 0:
        if importer is None:
            return None
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = list(search_path)
        if importer is not None and importer.parent not in bases:
            bases.append(importer.parent)  # Lambda puts the handler's directory on the path too
    for base in bases:
        candidates: tuple[tuple[str, str], ...]
        if parts:
            folder = os.path.join(base, *parts[:-1])
            candidates = ((folder, parts[-1] + ".py"), (os.path.join(folder, parts[-1]), "__init__.py"))
        else:
            candidates = ((os.fspath(base), "__init__.py"),)
        for directory, name in candidates:
            if may_exist is not None and not may_exist(directory, name):
                continue
            candidate = Path(directory, name)
            if candidate.is_file():
                try:
                    return candidate.resolve(strict=True)
                except (OSError, RuntimeError):
                    return None
    return None
