"""From a function to the code it ships: the package directory, the handler's file and name, its layers.

:func:`resolve` answers for one function. It reads the model only (``Function.code``, ``Handler``,
``Runtime``, ``Layers`` and SAM's build ``Metadata``) and the file system under the scanned root:

* **Python** ``Handler: pkg.module.func`` (or ``pkg/module.func``) -> ``<CodeUri>/pkg/module.py`` (or the
  package's ``__init__.py``);
* **Node.js** ``Handler: dir/file.export`` -> ``file.js``, ``.mjs`` or ``.cjs``; with SAM's
  ``Metadata: BuildMethod: esbuild`` (or when no JavaScript file exists) the TypeScript source ``file.ts`` /
  ``.mts`` / ``.tsx``, also looked up under the ``EntryPoints`` written in ``BuildProperties``;
* ``InlineCode`` / ``ZipFile``: the text written in the template;
* layers referenced by ``!Ref`` / ``!GetAtt`` to an ``AWS::Lambda::LayerVersion`` (or SAM ``LayerVersion``)
  of the same template with a local ``ContentUri``: their ``python/`` or ``nodejs/node_modules/`` directories
  join the module search path.

Nothing leaves the scanned root: a code directory or handler file that resolves (through symlinks) outside it
is refused, as are symlink loops. Every refusal is an :class:`~remit.model.values.Unknown` with the reason,
which the code stage turns into a diagnostic.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from remit.code.facts import Language
from remit.model.application import Application
from remit.model.entities import CodeKind, Function
from remit.model.resources import ResourceId
from remit.model.values import Symbol, Unknown, text

__all__ = ["MAX_FILES", "SKIP_DIRS", "ResolvedCode", "inside", "language_of", "resolve", "source_files",
           "worth_reporting"]

MAX_FILES = 5000  # source files listed per package: a vendored monorepo is cut here, with a diagnostic
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".aws-sam", "cdk.out", ".venv", "venv", ".tox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".serverless", ".terraform", "node_modules",
                       "dist-info", ".idea", ".vscode"})
PY_SUFFIXES = (".py",)
JS_SUFFIXES = (".js", ".mjs", ".cjs")
TS_SUFFIXES = (".ts", ".mts", ".cts", ".tsx")


@dataclass(frozen=True, slots=True)
class ResolvedCode:
    """The code one function ships.

    ``root`` is the deployed package's directory (absolute), ``entry`` the handler's file (None for inline
    code), ``handler_name`` the function or export the runtime calls, ``files`` the package's source files of
    the function's language (absolute, sorted). ``search_path`` lists where imports are looked up: the
    package itself, then its layers. ``inline`` holds ``InlineCode`` / ``ZipFile`` text, with
    ``inline_doc`` / ``inline_line`` the template and the line its first line sits on.
    """

    function: ResourceId
    language: Language
    root: Path
    entry: Path | None
    handler_name: str
    files: tuple[Path, ...] = ()
    search_path: tuple[Path, ...] = ()
    inline: str | None = None
    inline_doc: str = ""
    inline_line: int = 1
    truncated: bool = False  # more than MAX_FILES source files: the list was cut


_PROBLEMS = ("outside the scanned root", "symlink loop", "is an archive")


def worth_reporting(reason: Unknown) -> bool:
    """Whether an unresolved function deserves a diagnostic: the code is there but refused (outside the root,
    a symlink loop, an archive). Code that is simply absent (templates scanned without their code, S3 or
    image packages, runtimes remit does not read) is not news."""
    return any(marker in reason.reason for marker in _PROBLEMS)


def language_of(runtime: str | None) -> Language:
    """``python3.12`` -> PYTHON, ``nodejs20.x`` -> JAVASCRIPT; anything else OTHER."""
    value = (runtime or "").lower()
    if value.startswith("python"):
        return Language.PYTHON
    if value.startswith("nodejs"):
        return Language.JAVASCRIPT
    return Language.OTHER


def inside(path: Path, root: Path) -> bool:
    """``path`` (already resolved) is ``root`` or below it."""
    return path == root or root in path.parents


def _real(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, permission, or a symlink loop
        return None


def source_files(root: Path, suffixes: tuple[str, ...], limit: int = MAX_FILES) -> tuple[tuple[Path, ...], bool]:
    """Source files under ``root`` with one of ``suffixes``, without following symlinked directories and
    skipping tool and dependency directories; (files, truncated)."""
    found: list[Path] = []
    for current, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith((".dist-info", ".egg-info")))
        for name in sorted(names):
            if name.endswith(suffixes) and not name.endswith(".d.ts"):
                found.append(Path(current) / name)
                if len(found) >= limit:
                    return tuple(found), True
    return tuple(found), False


def _layer_roots(app: Application, fn: Function, language: Language) -> Iterator[Path]:
    root = app.real_root
    for ref in fn.layers:
        name = ref.name if isinstance(ref, Symbol) else None
        if name is None:
            continue
        for layer in app.layers:
            if layer.logical_id != name or layer.id.doc != fn.id.doc:
                continue
            if layer.content.kind is not CodeKind.LOCAL or layer.content.path is None:
                continue
            base = _real(layer.content.path)
            if base is None or not inside(base, root) or not base.is_dir():
                continue
            if language is Language.PYTHON:
                candidates = [base / "python", *sorted((base / "python" / "lib").glob("python3*/site-packages"))]
            else:
                candidates = [base / "nodejs" / "node_modules", base / "nodejs"]
            found = [c for c in candidates if c.is_dir()]
            yield from found or [base]


def _python_entry(root: Path, module: str) -> Path | None:
    rel = module.replace("\\", "/")
    parts = [p for p in rel.replace("/", ".").split(".") if p] if "/" not in rel else rel.split("/")
    if not parts:
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _node_entry(root: Path, module: str, fn: Function) -> Path | None:
    meta = fn.resource.metadata if isinstance(fn.resource.metadata, dict) else {}
    esbuild = str(meta.get("BuildMethod", "")).lower() == "esbuild"
    props = meta.get("BuildProperties")
    entry_points = props.get("EntryPoints") if isinstance(props, dict) else None
    order = (*TS_SUFFIXES, *JS_SUFFIXES) if esbuild else (*JS_SUFFIXES, *TS_SUFFIXES)
    stems = [module]
    if isinstance(entry_points, list):
        stems += [str(e).rsplit(".", 1)[0] for e in entry_points
                  if Path(str(e)).stem == Path(module).name]
    for stem in stems:
        base = root / stem
        for suffix in order:
            candidate = base.with_name(base.name + suffix)
            if candidate.is_file():
                return candidate
        if (base / "index.js").is_file():
            return base / "index.js"
    return None


def resolve(app: Application, function: Function) -> ResolvedCode | Unknown:
    """The code ``function`` ships, or why it cannot be known (S3 object, image, missing file, outside the
    scanned root, runtime remit does not analyse)."""
    runtime = text(function.runtime) if function.runtime is not None else None
    language = language_of(runtime)
    code = function.code
    if function.package_type == "Image" or code.kind is CodeKind.IMAGE:
        return Unknown("the function is a container image")
    if code.kind is CodeKind.S3:
        return Unknown(f"the code is an S3 object ({code.display}), not in the scanned files")
    if language is Language.OTHER:
        return Unknown(f"runtime {runtime or 'not set'} is not analysed (Python and Node.js are)")
    handler = text(function.handler) if function.handler is not None else None
    if not handler or "." not in handler:
        return Unknown(f"the handler {handler or '(not set)'} does not name a module and a function")
    module, _, name = handler.rpartition(".")
    root = app.real_root
    if code.kind is CodeKind.INLINE:
        location = app.locate(function.at("Code", "ZipFile"))
        return ResolvedCode(function.id, language, root, None, name, inline=code.inline or "",
                            inline_doc=location.path, inline_line=location.line + 1)
    if code.kind is not CodeKind.LOCAL or code.path is None:
        return Unknown(f"the code location {code.display} is not known")
    base = _real(code.path)
    if base is None:
        return Unknown(f"the code directory {code.display} does not exist (or is a symlink loop)")
    if not inside(base, root):
        return Unknown(f"the code directory {code.display} is outside the scanned root")
    if base.is_file():
        return Unknown(f"the code {code.display} is an archive; unpacked directories are analysed")
    if language is Language.PYTHON:
        entry = _python_entry(base, module)
        suffixes: tuple[str, ...] = PY_SUFFIXES
    else:
        entry = _node_entry(base, module, function)
        suffixes = (*JS_SUFFIXES, *TS_SUFFIXES)
    if entry is None:
        return Unknown(f"the handler file for {handler} is not in {code.display}")
    real_entry = _real(entry)
    if real_entry is None or not inside(real_entry, root):
        return Unknown(f"the handler file for {handler} resolves outside the scanned root")
    if language is Language.JAVASCRIPT and real_entry.suffix in TS_SUFFIXES:
        language = Language.TYPESCRIPT
    files, truncated = source_files(base, suffixes)
    layers = tuple(_layer_roots(app, function, language))
    return ResolvedCode(function.id, language, base, real_entry, name, files, (base, *layers),
                        truncated=truncated)
