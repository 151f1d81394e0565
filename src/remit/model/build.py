"""Documents -> :class:`~remit.model.application.Application`.

One builder for every format that arrives as CloudFormation (CloudFormation itself, SAM after expansion, CDK
output, Terraform and live snapshots after their loaders): it resolves intrinsics, indexes each document's
resources, and runs the readers of :data:`remit.model.readers.READERS` over them, which read each resource type
they know into its typed view and wire resources together (a bucket and its policy, a function and its role,
its triggers, its URL...). Resource types no reader knows stay available as plain resources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, Expanded
from remit.model.application import Application, DocumentInfo, TemplateOutput
from remit.model.intrinsics import Resolver
from remit.model.readers import READERS
from remit.model.readers.context import NAME_PROPS, Accumulator, Context, name_key
from remit.model.resources import Origin, Resource, ResourceId
from remit.model.units import deployment_units, nested_stacks
from remit.source import NodePath


def build(documents: Sequence[Document], root: Path, expander: Callable[[Document], Expanded], *,
          one_account: bool = False) -> tuple[Application, tuple[Diagnostic, ...]]:
    """Build one application from every document. Problems become diagnostics; this never raises for input.

    ``expander`` turns a SAM document into CloudFormation: the loaders' SAM step, which ``remit.api`` passes
    (translations made beside the scan, or :func:`remit.loaders.sam.expand`); the model imports no loader.
    ``one_account``: every document is deployed into one account (one deployment unit,
    :mod:`remit.model.units`)."""
    acc = Accumulator()
    diags: list[Diagnostic] = []
    infos: list[DocumentInfo] = []
    nested, nested_diags = nested_stacks(documents, root)
    diags.extend(nested_diags)
    units = deployment_units(documents, one_account=one_account, nested=nested)
    for doc in documents:
        meta = doc.data.get("Metadata")
        template: Mapping[str, Any] = doc.data
        origins: Mapping[str, Origin] = {}
        local_paths: Mapping[str, Mapping[str, str]] = {}
        if doc.kind is DocKind.SAM:
            done = expander(doc)
            diags.extend(done.diagnostics)
            template, origins, local_paths = done.template, done.origins, done.local_paths
        ctx = Context(doc, template, origins, local_paths, acc, Resolver(template))
        _read(ctx)
        diags.extend(ctx.diagnostics)
        infos.append(DocumentInfo(doc.id, doc.kind.value, doc.path, doc.marks, meta if isinstance(meta, dict) else {},
                                  units[doc.id], _outputs(doc.id, template, ctx.resolver)))
    return acc.application(root, tuple(infos)), tuple(diags)


def _outputs(doc: str, template: Mapping[str, Any], resolver: Resolver) -> tuple[TemplateOutput, ...]:
    """The template's ``Outputs`` with their values resolved; malformed entries are left out."""
    outputs = template.get("Outputs")
    if not isinstance(outputs, dict):
        return ()
    return tuple(TemplateOutput(str(name), resolver.resolve(entry["Value"]), NodePath(doc, ("Outputs", str(name))),
                                entry.get("Sensitive") is True)
                 for name, entry in outputs.items() if isinstance(entry, dict) and "Value" in entry)



def _read(ctx: Context) -> None:
    """Index the document's resources, then run every reader that has resources to read. One reader that
    fails is a ``model-error`` diagnostic naming it; the others still run."""
    if not _index(ctx):
        return
    for reader in READERS:
        if not reader.wanted(ctx.by_type):
            continue
        try:
            reader.read(ctx)
        except Exception as exc:  # noqa: BLE001 - one unreadable part must not lose the rest of the model
            ctx.diag(Level.ERROR, "model-error",
                     f"could not read part of the template ({reader.name}): {type(exc).__name__}: {exc}")


def _index(ctx: Context) -> bool:
    """Every resource of the document, resolved, by logical id, type and physical name (kept in
    ``ctx.acc.resources`` too); False when the document has no ``Resources`` mapping."""
    raw = ctx.template.get("Resources")
    if not isinstance(raw, dict):
        return False
    for key, body in raw.items():
        lid = str(key)
        if lid.startswith("Fn::ForEach::"):
            ctx.diag(Level.WARNING, "foreach-not-expanded",
                     f"{lid} (AWS::LanguageExtensions) is not expanded: the resources it makes are not "
                     "analysed", ("Resources", lid))
            continue
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            ctx.diag(Level.WARNING, "bad-resource", f"resource {lid} has no Type: skipped", ("Resources", lid))
            continue
        props_raw = body.get("Properties", {})
        if props_raw is None:
            props_raw = {}
        origin = ctx.origins.get(lid) or Origin(ctx.doc.id, lid, marks=ctx.doc.marks)
        props = ctx.resolver.resolve(props_raw) if isinstance(props_raw, dict) else {}
        if not isinstance(props, dict):
            props = {}
        if not isinstance(props_raw, dict):
            ctx.diag(Level.WARNING, "bad-resource", f"resource {lid} has Properties that are not a mapping",
                     ("Resources", lid))
        meta = body.get("Metadata") if isinstance(body.get("Metadata"), dict) else {}
        cond = body.get("Condition") if isinstance(body.get("Condition"), str) else None
        resource = Resource(ResourceId(ctx.doc.id, lid), body["Type"], props, origin, meta or {}, cond)
        ctx.res[lid] = resource
        ctx.by_type[resource.type].append(resource)
        name_prop = NAME_PROPS.get(resource.type)
        if name_prop:
            name = name_key(resource.prop(name_prop))
            if name:
                ctx.by_name[(resource.type, name)] = lid
    for problem in ctx.resolver.problems:
        ctx.diag(Level.WARNING, "intrinsic", problem)
    ctx.acc.resources.extend(ctx.res.values())
    return True
