"""Terraform: HCL modules and ``terraform show -json`` plans, read as CloudFormation-shaped documents.

A directory's ``.tf`` files are one module. Each *root* module (a directory no other scanned module calls as
a local child module) becomes one :class:`~remit.loaders.cloudformation.Document` of kind ``terraform``: its
resources, and those of the local child modules it calls, translated into the CloudFormation resources they
amount to (:mod:`.convert`), every node marked at the ``.tf`` line (and file) it came from. The model,
rules, IAM engine, code analysis and attack paths then read it like any template. Nothing is executed,
nothing is fetched: registry and git modules, data sources read from the account, and values known only after
apply become explicit unknowns, each reported as a ``terraform-unknown`` diagnostic (level info).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit import safeio
from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, LoadResult
from remit.errors import HclError
from remit.loaders.cloudformation import read_text
from remit.loaders.discover import InputFile
from remit.source import SourceMap

MAX_TF_BYTES = 1024 * 1024  # the HCL parser reads ~150 KB/s: a bigger file is refused, with a diagnostic
MAX_UNKNOWN_DIAGNOSTICS = 50  # per module; the rest are counted in one summary line
SUFFIX = ".tf"


def is_terraform(file: InputFile) -> bool:
    return file.path.suffix.lower() == SUFFIX


@dataclass
class Stats:
    """What reading Terraform cost and found (the corpus test prints it)."""

    files: int = 0
    parsed: int = 0
    seconds: float = 0.0
    unknowns: int = 0


STATS = Stats()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.cache: dict[Path, list[Any]] = {}
        self.diagnostics: list[Diagnostic] = []

    def parse_file(self, path: Path, rel: str, explicit: bool = False) -> Any:
        from remit.loaders.terraform import hcl
        from remit.loaders.terraform.module import TfFile, ignores_in
        STATS.files += 1
        text, problem = read_text(InputFile(path, rel, explicit), MAX_TF_BYTES)
        if text is None:
            if problem is not None:
                self.diagnostics.append(problem)
            return None
        start = time.perf_counter()
        try:
            body = hcl.parse(text)
        except HclError as exc:
            self.diagnostics.append(Diagnostic(rel, Level.ERROR, "parse-error", f"not valid HCL: {exc.message}",
                                               exc.line))
            return None
        finally:
            STATS.seconds += time.perf_counter() - start
        STATS.parsed += 1
        return TfFile(rel, body, ignores_in(text))

    def parse_dir(self, directory: Path) -> list[Any]:
        directory = directory.resolve()
        if directory not in self.cache:
            files = []
            try:
                names = sorted(p for p in directory.iterdir() if p.suffix == SUFFIX and p.is_file())
            except OSError:
                names = []
            for path in names:
                real = path.resolve()
                if real != self.root and self.root not in real.parents:
                    continue
                parsed = self.parse_file(real, _rel(real, self.root))
                if parsed is not None:
                    files.append(parsed)
            self.cache[directory] = files
        return self.cache[directory]


def _tfvars(directory: Path, reader: _Reader) -> dict[str, Any]:
    """``terraform.tfvars`` and ``*.auto.tfvars`` of the root module: literal values only."""
    from remit.loaders.terraform import hcl
    from remit.loaders.terraform.evaluate import Evaluator, Scope
    out: dict[str, Any] = {}
    try:
        paths = sorted(p for p in directory.iterdir()
                       if p.name == "terraform.tfvars" or p.name.endswith(".auto.tfvars"))
    except OSError:
        return out
    evaluator = Evaluator(lambda _name, _scope: None, reader.root, directory)
    for path in paths:
        rel = _rel(path.resolve(), reader.root)
        text, _problem = read_text(InputFile(path, rel), MAX_TF_BYTES)
        if text is None:
            continue
        try:
            body = hcl.parse(text)
        except HclError as exc:
            reader.diagnostics.append(Diagnostic(rel, Level.WARNING, "parse-error", exc.message, exc.line))
            continue
        for name, attr in body.attributes.items():
            out[name] = evaluator.eval(attr.expr, Scope(rel))
    return out


def _local_calls(files: list[Any], directory: Path) -> set[Path]:
    from remit.loaders.terraform import hcl
    called: set[Path] = set()
    for f in files:
        for block in f.body.blocks:
            if block.type != "module":
                continue
            source = block.body.attributes.get("source")
            if source is not None and isinstance(source.expr, hcl.Lit) and isinstance(source.expr.value, str) \
                    and source.expr.value.startswith(("./", "../")):
                target = (directory / source.expr.value).resolve()
                if target != directory:  # a module calling itself is still a root (the loop is reported later)
                    called.add(target)
    return called


def load_terraform(files: Sequence[InputFile], root: Path) -> list[LoadResult]:
    """Read every discovered ``.tf`` file, one document per root module."""
    reader = _Reader(root)
    by_dir: dict[Path, list[InputFile]] = defaultdict(list)
    for f in files:
        by_dir[f.path.resolve().parent].append(f)
    parsed: dict[Path, list[Any]] = {}
    for directory, members in sorted(by_dir.items()):
        explicit = [m for m in members if m.explicit]
        if explicit and len(members) == len(explicit) and len(members) == 1:
            # a single file named on the command line: its siblings are still the same module
            parsed[directory] = reader.parse_dir(directory)
            continue
        parsed[directory] = reader.parse_dir(directory)
    called: set[Path] = set()
    for directory, tf_files in parsed.items():
        called |= _local_calls(tf_files, directory)
    results: list[LoadResult] = []
    for directory, tf_files in sorted(parsed.items()):
        if directory in called or not tf_files:
            continue
        try:
            results.append(_module_document(directory, tf_files, reader))
        except RecursionError:
            results.append(LoadResult(None, (Diagnostic(tf_files[0].rel, Level.ERROR, "terraform-error",
                                                        "the module is nested too deeply to read"),)))
    if reader.diagnostics:
        results.append(LoadResult(None, tuple(reader.diagnostics)))
    return results


def _outputs(module: Any, builder: Any) -> dict[str, Any]:
    """The root module's ``output`` blocks as CloudFormation ``Outputs`` (``Value``, and ``Sensitive: true`` when
    Terraform keeps the value out of its plan and apply output), each marked at its block."""
    from remit.loaders.terraform.evaluate import Scope
    out: dict[str, Any] = {}
    for name, (block, file) in module.outputs.items():
        value = block.body.attributes.get("value")
        if value is None:
            continue
        path = ("Outputs", name)
        entry: dict[str, Any] = {"Value": builder.cfn(module.output(name), (*path, "Value"), None)}
        sensitive = block.body.attributes.get("sensitive")
        if sensitive is not None and module.eval(sensitive.expr, Scope(file)) is True:
            entry["Sensitive"] = True
        out[name] = entry
        builder.mark(path, (file, block.line))
        builder.mark((*path, "Value"), (file, value.line))
    return out


def _module_document(directory: Path, tf_files: list[Any], reader: _Reader) -> LoadResult:
    from remit.loaders.terraform.convert import build
    from remit.loaders.terraform.module import Context, Module
    ctx = Context(reader.root, directory, reader.parse_dir)
    module = Module(tf_files, ".", "", ctx, tfvars=_tfvars(directory, reader))
    instances = list(module.instances())
    data = list(module.data_instances())
    main = next((f for f in tf_files if f.rel.rsplit("/", 1)[-1] == "main.tf"), tf_files[0])
    if not instances and not module.module_blocks:
        return LoadResult(None)
    builder = build(instances, data, main.rel)
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09",
                                "Description": f"Terraform module {directory.name}", "Resources": builder.resources}
    if ctx.parameters:
        template["Parameters"] = ctx.parameters
    outputs = _outputs(module, builder)
    if outputs:
        template["Outputs"] = outputs
    used = {builder.doc_file, *builder.files.values()}
    _suppressions([*tf_files, *(f for files in reader.cache.values() for f in files
                                if f.rel in used and f not in tf_files)], ctx, builder)
    marks = {(): (1, 1), ("Resources",): (1, 1), **builder.marks}
    doc = Document(main.rel, directory / main.rel.rsplit("/", 1)[-1], DocKind.TERRAFORM, template,
                   SourceMap(marks, dict(builder.files)))
    return LoadResult(doc, tuple(_diagnostics(ctx.notes, builder)))


def _suppressions(tf_files: list[Any], ctx: Any, builder: Any) -> None:
    """``# remit:ignore RMT-X-001 reason`` comments become the ``Metadata: remit: ignore`` entries of the resource
    whose block they precede or sit in (every instance of a ``count`` / ``for_each``), marked at the comment, so
    they are applied (and a missing reason refused) as in a template."""
    starts: dict[tuple[str, int], list[str]] = defaultdict(list)
    for lid in builder.resources:
        line = builder.marks.get(("Resources", lid), (0, 0))[0]
        starts[(builder.files.get(("Resources", lid), builder.doc_file), line)].append(lid)
    for tf in tf_files:
        for ignore in tf.ignores:
            if ignore.before is not None:
                lids = starts.get((tf.rel, ignore.before), [])
            else:
                inside = [line for file, line in starts if file == tf.rel and line <= ignore.line]
                lids = starts[(tf.rel, max(inside))] if inside else []
            if not lids:
                ctx.note(tf.rel, ignore.line, "suppression-not-linked",
                         f"remit:ignore {ignore.rule} is not on or above a resource remit reads: not applied")
            for lid in lids:
                entries = builder.resources[lid].setdefault("Metadata", {}).setdefault("remit", {}) \
                    .setdefault("ignore", [])
                entry = {"id": ignore.rule, **({"reason": ignore.reason} if ignore.reason else {})}
                path = ("Resources", lid, "Metadata", "remit", "ignore", len(entries))
                entries.append(entry)
                for sub in ((), ("id",), ("reason",)):
                    builder.mark((*path, *sub), (tf.rel, ignore.line))


def _diagnostics(notes: list[tuple[str, int | None, str, str]], builder: Any) -> list[Diagnostic]:
    out = [Diagnostic(file, Level.INFO if code != "terraform-error" else Level.WARNING, code, message, line)
           for file, line, code, message in [*notes, *builder.notes]]
    unknowns = sorted(set(builder.unknowns))
    STATS.unknowns += len(unknowns)
    for file, line, reason in unknowns[:MAX_UNKNOWN_DIAGNOSTICS]:
        out.append(Diagnostic(file, Level.INFO, "terraform-unknown", f"{reason}: treated as unknown", line))
    if len(unknowns) > MAX_UNKNOWN_DIAGNOSTICS:
        file = unknowns[MAX_UNKNOWN_DIAGNOSTICS][0]
        out.append(Diagnostic(file, Level.INFO, "terraform-unknown",
                              f"{len(unknowns) - MAX_UNKNOWN_DIAGNOSTICS} more values are unknown before apply"))
    return out


def is_plan(file: InputFile) -> bool:
    """A ``terraform show -json`` document, recognised by its first bytes."""
    if file.path.suffix.lower() != ".json":
        return False
    try:
        with safeio.open_file(file.path) as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b'"format_version"' in head and (b'"terraform_version"' in head or b'"planned_values"' in head
                                              or b'"values"' in head)


def load_plan(file: InputFile) -> LoadResult:
    from remit.loaders.terraform.plan import load_plan as load
    return load(file)


__all__ = ["STATS", "is_plan", "is_terraform", "load_plan", "load_terraform"]
