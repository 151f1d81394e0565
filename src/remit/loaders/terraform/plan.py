"""``terraform show -json`` output (a plan, or state) read as a Terraform document.

The plan holds every resource's values as Terraform computed them, so nothing is guessed: variables,
``count``, ``for_each`` and modules are already resolved. What the plan cannot know before apply (a new role's
ARN) is absent from ``planned_values``; the ``configuration`` section still says which resource attribute the
author referenced there, and that reference becomes the same resource reference the HCL reader produces, so a
function stays linked to its role. Marks point into the JSON file.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, LoadResult
from remit.errors import LoadError
from remit.loaders.cloudformation import MAX_FILE_BYTES, read_text
from remit.loaders.discover import InputFile
from remit.loaders.marked import load_json
from remit.loaders.terraform.evaluate import Archive, LDict, LList, Loc, Unk, resource_attribute
from remit.source import SourceMap


class PlanInstance:
    """A resource of the plan, shaped like :class:`remit.loaders.terraform.module.Instance` for the converter."""

    def __init__(self, entry: dict[str, Any], path: tuple[Any, ...], file: str, marks: Any,
                 refs: dict[str, Any], prefix: str) -> None:
        self.address = str(entry.get("address"))
        self.type = str(entry.get("type"))
        self.name = str(entry.get("name"))
        self.mode = "data" if entry.get("mode") == "data" else "managed"
        self.file = file
        pos = marks.get(path)
        self.line = pos[0] if pos else 1
        self.loc: Loc = (file, self.line)
        raw = entry.get("values") if isinstance(entry.get("values"), dict) else {}
        self._values = _located(raw, (*path, "values"), marks, file, self.loc)
        assert isinstance(self._values, LDict)
        for key, target in refs.items():
            if self._values.get(key) is None:
                self._values[key] = _reference(target, prefix)
                self._values.locs.setdefault(key, self.loc)

    def values(self) -> LDict:
        values: LDict = self._values
        return values

    def attr(self, name: str) -> Any:
        if self.type == "archive_file" and name == "output_path":
            values = self._values
            source = values.get("source_dir") or values.get("source_file")
            if isinstance(source, str):

                return Archive(posixpath.normpath(source), values.get("source_dir") is not None,
                               str(values.get("output_path") or ""))
        return self._values.get(name)


def _located(value: Any, path: tuple[Any, ...], marks: Any, file: str, loc: Loc) -> Any:
    if isinstance(value, dict):
        out = LDict()
        for k, v in value.items():
            out[k] = _located(v, (*path, k), marks, file, loc)
            pos = marks.get((*path, k))
            out.locs[k] = (file, pos[0]) if pos else loc
        return out
    if isinstance(value, list):
        items = LList()
        for i, v in enumerate(value):
            items.append(_located(v, (*path, i), marks, file, loc))
            pos = marks.get((*path, i))
            items.locs.append((file, pos[0]) if pos else loc)
        return items
    return value


def _reference(target: str, prefix: str) -> Any:
    """``aws_iam_role.fn.arn`` (relative to the module) -> the value standing for it."""
    parts = target.split(".")
    if parts[0] in ("var", "local", "data", "module", "path", "count", "each") or len(parts) < 3:
        return Unk(f"{target} is known only after apply")
    rtype, name, attr = parts[0], parts[1], parts[2]
    return resource_attribute(rtype, f"{prefix}{rtype}.{name}", attr)


def _config_refs(config: Any) -> dict[str, dict[str, Any]]:
    """address -> attribute -> referenced address, from the plan's ``configuration`` section."""
    out: dict[str, dict[str, Any]] = {}

    def walk(module: Any, prefix: str, depth: int) -> None:
        if not isinstance(module, dict) or depth > 20:
            return
        for res in module.get("resources", []) if isinstance(module.get("resources"), list) else []:
            if not isinstance(res, dict) or not isinstance(res.get("expressions"), dict):
                continue
            refs: dict[str, Any] = {}
            for key, expr in res["expressions"].items():
                if isinstance(expr, dict) and isinstance(expr.get("references"), list) and expr["references"]:
                    first = next((r for r in expr["references"] if isinstance(r, str) and r.count(".") >= 2), None)
                    if first is not None:
                        refs[key] = first
            out[f"{prefix}{res.get('address')}"] = refs
        calls = module.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else ():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}module.{name}.", depth + 1)

    if isinstance(config, dict):
        walk(config.get("root_module"), "", 0)
    return out


def load_plan(file: InputFile) -> LoadResult:
    from remit.loaders.terraform.convert import build  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    text, problem = read_text(file, MAX_FILE_BYTES)
    if text is None:
        return LoadResult(None, (problem,) if problem is not None else ())
    try:
        loaded = load_json(text)
    except LoadError as exc:
        return LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "parse-error", exc.message, exc.line),))
    data = loaded.data
    if not isinstance(data, dict):
        return LoadResult(None)
    top = "planned_values" if isinstance(data.get("planned_values"), dict) else "values"
    root = data.get(top, {}).get("root_module") if isinstance(data.get(top), dict) else None
    if not isinstance(root, dict):
        if file.explicit:
            return LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "not-a-plan",
                                                "JSON with format_version but no planned_values or values"),))
        return LoadResult(None)
    config = data.get("configuration") if isinstance(data.get("configuration"), dict) else {}
    refs = _config_refs(config)
    marks = loaded.marks.marks
    managed: list[Any] = []
    data_sources: list[Any] = []

    def walk(module: dict[str, Any], path: tuple[Any, ...], depth: int) -> None:
        if depth > 20:
            return
        for i, res in enumerate(module.get("resources", []) if isinstance(module.get("resources"), list) else []):
            if not isinstance(res, dict) or not isinstance(res.get("type"), str):
                continue
            address = str(res.get("address", ""))
            prefix = address[: address.rfind(f"{res.get('type')}.")] if f"{res.get('type')}." in address else ""
            base_address = address.split("[", 1)[0]
            inst = PlanInstance(res, (*path, "resources", i), file.rel, marks, refs.get(base_address, {}), prefix)
            (data_sources if inst.mode == "data" else managed).append(inst)
        for j, child in enumerate(module.get("child_modules", []) if isinstance(module.get("child_modules"),
                                                                                 list) else []):
            if isinstance(child, dict):
                walk(child, (*path, "child_modules", j), depth + 1)

    walk(root, (top, "root_module"), 0)
    prior = data.get("prior_state")
    if isinstance(prior, dict) and isinstance(prior.get("values"), dict) \
            and isinstance(prior["values"].get("root_module"), dict):
        before = len(data_sources)
        walk_data: list[Any] = []
        managed_backup = list(managed)
        walk(prior["values"]["root_module"], ("prior_state", "values", "root_module"), 0)
        walk_data = data_sources[before:]
        managed[:] = managed_backup
        known = {d.address for d in data_sources[:before]}
        data_sources[before:] = [d for d in walk_data if d.address not in known]
    builder = build(managed, data_sources, file.rel)
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Description": "Terraform plan",
                "Resources": builder.resources}
    doc = Document(file.rel, Path(file.path), DocKind.TERRAFORM, template,
                   SourceMap({(): (1, 1), ("Resources",): (1, 1), **builder.marks}))
    diags = [Diagnostic(f, Level.INFO if code != "terraform-error" else Level.WARNING, code, msg, line)
             for f, line, code, msg in builder.notes]
    diags.extend(Diagnostic(f, Level.INFO, "terraform-unknown", f"{reason}: treated as unknown", line)
                 for f, line, reason in sorted(set(builder.unknowns))[:50])
    return LoadResult(doc, tuple(diags))
