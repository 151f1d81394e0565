"""Deployment units: which scanned documents are deployed together, so the attack graph never joins two apps
that share nothing.

A folder of unrelated sample apps is not one account. Each SAM/CloudFormation template, Serverless service,
Terraform root module and CDK stack is deployed on its own, so each document starts as its own unit. Units are
joined only where the documents themselves link them:

* the stack templates of one CDK cloud assembly (one ``cdk deploy`` of one app: the templates beside one
  ``manifest.json``);
* a parent stack and the nested stack it deploys from a local template (``AWS::Serverless::Application`` with a
  local ``Location``, ``AWS::CloudFormation::Stack`` with a local ``TemplateURL``, as ``sam package`` and
  ``aws cloudformation package`` upload them): the child template is scanned as a document of its own, in the
  parent's unit; a local template that is not scanned is named in a ``nested-stack-not-read`` diagnostic;
* a stack that exports a value (``Outputs: X: Export: Name: literal``) and a stack that imports it
  (``Fn::ImportValue: literal``): the importer is deployed where the export exists.

``one_account`` (``--one-account``, ``one_account = true`` in the configuration) says every scanned document is
deployed into one account: a single unit. Names that only match by convention (an SSM parameter or a role name
two stacks both spell) do not link units yet; ``one_account`` is the way to say they do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document

MAX_WALK = 200_000  # nodes of one document walked looking for imports (a hostile document stays bounded)


class _Sets:
    """Union-find over document ids."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller id names the unit, so a unit's name does not depend on document order
            self.parent[max(ra, rb)] = min(ra, rb)


def _exports(data: Mapping[str, Any]) -> Iterator[str]:
    outputs = data.get("Outputs")
    if not isinstance(outputs, Mapping):
        return
    for output in outputs.values():
        export = output.get("Export") if isinstance(output, Mapping) else None
        name = export.get("Name") if isinstance(export, Mapping) else None
        if isinstance(name, str):
            yield name


def _imports(data: Mapping[str, Any]) -> Iterator[str]:
    stack: list[Any] = [data.get("Resources"), data.get("Outputs")]
    walked = 0
    while stack and walked < MAX_WALK:
        node = stack.pop()
        walked += 1
        if isinstance(node, Mapping):
            name = node.get("Fn::ImportValue")
            if isinstance(name, str):
                yield name
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


_NESTED = {"AWS::Serverless::Application": "Location", "AWS::CloudFormation::Stack": "TemplateURL"}


def _local_template(value: Any) -> str | None:
    """A nested stack's template written as a path on disk (not a URL, an S3 location or an application id)."""
    if not isinstance(value, str) or not value or "://" in value or value.startswith(("arn:", "${", "s3:")):
        return None
    return value


def nested_stacks(documents: Sequence[Document], root: Path) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """(parent id, child id) for every nested stack whose local template is a scanned document, and a diagnostic
    for each local template that is not (missing, outside the scanned root, excluded, not a template)."""
    by_path = {d.path.resolve(): d.id for d in documents if d.kind in (DocKind.SAM, DocKind.CLOUDFORMATION)}
    links: list[tuple[str, str]] = []
    diags: list[Diagnostic] = []
    for doc in documents:
        resources = doc.data.get("Resources")
        if doc.kind not in (DocKind.SAM, DocKind.CLOUDFORMATION) or not isinstance(resources, Mapping):
            continue
        for lid, res in resources.items():
            prop = _NESTED.get(str(res.get("Type"))) if isinstance(res, Mapping) else None
            props = res.get("Properties") if prop else None
            written = _local_template(props.get(prop)) if isinstance(props, Mapping) else None
            if prop is None or written is None:
                continue
            target = (doc.path.parent / written).resolve()
            child = by_path.get(target)
            if child is not None:
                links.append((doc.id, child))
                continue
            why = ("is outside the scanned root" if not target.is_relative_to(root) else
                   "was not found" if not target.is_file() else "was not read as a template")
            diags.append(Diagnostic(doc.id, Level.WARNING, "nested-stack-not-read",
                                    f"{lid}: the nested stack template {written} {why}: its resources are not "
                                    "analysed", doc.marks.position(("Resources", str(lid), "Properties", prop)).line))
    return links, diags


def deployment_units(documents: Sequence[Document], *, one_account: bool = False,
                     nested: Sequence[tuple[str, str]] = ()) -> Mapping[str, str]:
    """Each document's unit, named by the smallest document id in it; ``nested`` are (parent, child) pairs of
    :func:`nested_stacks`."""
    ids = [d.id for d in documents]
    if one_account and ids:
        first = min(ids)
        return dict.fromkeys(ids, first)
    sets = _Sets(ids)
    for parent, child in nested:
        sets.union(parent, child)
    assemblies: dict[str, str] = {}
    exporters: dict[str, list[str]] = {}
    for doc in documents:
        if doc.kind is DocKind.CDK:
            directory = doc.path.parent.as_posix()
            if directory in assemblies:
                sets.union(assemblies[directory], doc.id)
            else:
                assemblies[directory] = doc.id
        for name in _exports(doc.data):
            exporters.setdefault(name, []).append(doc.id)
    for doc in documents:
        for name in _imports(doc.data):
            for exporter in exporters.get(name, ()):
                sets.union(exporter, doc.id)
    return {i: sets.find(i) for i in ids}
