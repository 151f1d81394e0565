"""CDK: a synthesised cloud assembly (``cdk.out``) read as the CloudFormation stacks it deploys.

``manifest.json`` lists the assembly's artifacts. Each ``aws:cloudformation:stack`` artifact names its template
(``properties.templateFile``); every template, and every nested stack template it references
(``AWS::CloudFormation::Stack`` with ``Metadata: aws:asset:path``), becomes one CloudFormation
:class:`~remit.loaders.cloudformation.Document` whose id is the template's path under the scanned root, so
findings point at the template line. Nested assemblies (``cdk:cloud-assembly`` artifacts, CDK stages) are
followed.

Two things make it CDK rather than plain CloudFormation:

* **Construct paths.** CDK writes ``Metadata: aws:cdk:path`` (``OrdersStack/OrdersFunction/Resource``) on each
  resource, and the manifest's ``aws:cdk:logicalId`` entries map construct paths to logical ids. When a resource
  lacks the metadata the manifest's path is written into the document's data, so the engine reads one place
  (:func:`remit.findings.construct_of`) and each finding carries its construct.
* **Assets.** A function's ``Code`` (a layer's ``Content``) is an S3 location the CLI uploads; the resource's
  ``Metadata: aws:asset:path`` / ``aws:asset:property`` (else the asset manifests ``*.assets.json`` by S3 key,
  else CDK v1's ``aws:cdk:asset`` manifest entries by parameter name) names the staged copy ``asset.<hash>``
  in the assembly. The property is rewritten to a local path so code and dependency analysis run on it. When a
  directory under the scanned root, outside the assembly, holds exactly the same files with the same bytes,
  that directory is the asset's source and is analysed instead, so findings point at the author's files.

Nothing outside the scanned root is read: a template, nested template or asset that resolves (through
symlinks) outside the assembly or the root is refused with a diagnostic, as are loops and missing files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, LoadResult
from remit.loaders.cloudformation import load_template
from remit.loaders.discover import SKIP_DIRS, InputFile

MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 20 * 1024 * 1024
MAX_NESTING = 16  # nested assemblies / nested stacks followed this deep
MAX_SOURCE_FILES = 50_000  # files indexed under the root when looking for an asset's source directory
MAX_ASSET_FILES = 5_000  # files compared per asset
MAX_COMPARE_BYTES = 64 * 1024 * 1024  # bytes compared per candidate source directory
PATH_KEY = "aws:cdk:path"
ASSET_PATH = "aws:asset:path"
ASSET_PROPERTY = "aws:asset:property"
STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
ASSET_PROPERTIES = {"AWS::Lambda::Function": "Code", "AWS::Lambda::LayerVersion": "Content"}


def is_assembly(directory: Path) -> bool:
    """A directory holding a cloud assembly: a ``manifest.json`` with ``artifacts`` (cheap test on its head)."""
    manifest = directory / MANIFEST
    try:
        with safeio.open_file(manifest, 2**63 - 1) as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return b'"artifacts"' in head and b'"version"' in head


def is_manifest(file: InputFile) -> bool:
    """The ``manifest.json`` of a cloud assembly (the file discovery offers for a ``cdk.out`` directory: there a
    broken manifest is still read by this loader, so that it is reported)."""
    return file.path.name == MANIFEST and (file.path.parent.name == "cdk.out" or is_assembly(file.path.parent))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


def _real(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, unreadable or a symlink loop
        return None


@dataclass
class _Assets:
    """What the assembly says about its file assets: S3 object key -> staged path, v1 parameter -> path."""

    by_key: dict[str, str] = field(default_factory=dict)
    by_parameter: dict[str, str] = field(default_factory=dict)


@dataclass
class _Reader:
    root: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    results: list[LoadResult] = field(default_factory=list)
    seen_assemblies: set[Path] = field(default_factory=set)
    seen_templates: set[Path] = field(default_factory=set)
    sources: _SourceIndex | None = None

    def note(self, path: Path | str, level: Level, code: str, message: str, line: int | None = None) -> None:
        shown = path if isinstance(path, str) else _rel(path, self.root)
        self.diagnostics.append(Diagnostic(shown, level, code, message, line))

    # ------------------------------------------------------------------ assembly and manifest

    def assembly(self, directory: Path, depth: int = 0) -> None:
        if directory in self.seen_assemblies:
            return
        self.seen_assemblies.add(directory)
        manifest_path = directory / MANIFEST
        manifest = self.read_json(manifest_path, MAX_MANIFEST_BYTES)
        if manifest is None:
            return
        artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
        if not isinstance(artifacts, dict):
            self.note(manifest_path, Level.ERROR, "cdk-manifest",
                      "the cloud assembly manifest has no `artifacts` object: nothing read")
            return
        assets = self.asset_manifests(directory, artifacts)
        for name, artifact in sorted(artifacts.items()):
            if not isinstance(artifact, dict):
                self.note(manifest_path, Level.WARNING, "cdk-manifest", f"artifact {name!r} is not an object")
                continue
            kind = artifact.get("type")
            props = _mapping(artifact.get("properties"))
            if kind == STACK:
                template = props.get("templateFile")
                if not isinstance(template, str) or not template:
                    self.note(manifest_path, Level.ERROR, "cdk-manifest",
                              f"stack {name!r} names no template file (properties.templateFile)")
                    continue
                paths = _construct_paths(artifact.get("metadata"))
                extra = artifact.get("additionalMetadataFile")  # newer CDK moves the metadata to its own file
                if isinstance(extra, str) and extra:
                    target = self.contained(directory, extra, manifest_path, f"stack {name!r} metadata")
                    if target is not None:
                        paths = {**_construct_paths(self.read_json(target, MAX_MANIFEST_BYTES)), **paths}
                self.stack(directory, template, name, paths, assets, depth)
            elif kind == NESTED_ASSEMBLY:
                sub = props.get("directoryName")
                if not isinstance(sub, str) or not sub:
                    continue
                target = self.contained(directory, sub, manifest_path, f"nested assembly {name!r}")
                if target is None:
                    continue
                if depth >= MAX_NESTING:
                    self.note(manifest_path, Level.WARNING, "cdk-nesting", f"nested assembly {name!r} too deep")
                    continue
                if not (target / MANIFEST).is_file():
                    self.note(manifest_path, Level.ERROR, "cdk-missing",
                              f"nested assembly {name!r}: {sub}/{MANIFEST} does not exist")
                    continue
                self.assembly(target, depth + 1)

    def read_json(self, path: Path, limit: int) -> Any:
        try:
            size = path.stat().st_size
            if size > limit:
                self.note(path, Level.ERROR, "too-large", f"file is {size} bytes, over the {limit}-byte limit")
                return None
            raw = safeio.read_bytes(path, limit)
        except OSError as exc:
            self.note(path, Level.ERROR, "unreadable", exc.strerror or str(exc))
            return None
        try:
            return untrusted.json_loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
            self.note(path, Level.ERROR, "parse-error", f"not valid JSON: {exc}", line)
            return None

    def contained(self, directory: Path, name: str, where: Path, what: str) -> Path | None:
        """``directory / name`` resolved, if it exists inside the assembly and the scanned root."""
        target = _real(directory / name)
        if target is None:
            self.note(where, Level.ERROR, "cdk-missing", f"{what}: {name} does not exist (or is a symlink loop)")
            return None
        if not _inside(target, directory) or not _inside(target, self.root):
            self.note(where, Level.ERROR, "cdk-outside",
                      f"{what}: {name} is outside the cloud assembly: not read")
            return None
        return target

    def asset_manifests(self, directory: Path, artifacts: Mapping[str, Any]) -> _Assets:
        assets = _Assets()
        for artifact in artifacts.values():
            if not isinstance(artifact, dict):
                continue
            props = _mapping(artifact.get("properties"))
            if artifact.get("type") == "cdk:asset-manifest" and isinstance(props.get("file"), str):
                target = self.contained(directory, props["file"], directory / MANIFEST, "asset manifest")
                data = self.read_json(target, MAX_MANIFEST_BYTES) if target is not None else None
                files = data.get("files") if isinstance(data, dict) else None
                for asset_hash, entry in (files.items() if isinstance(files, dict) else ()):
                    source = entry.get("source") if isinstance(entry, dict) else None
                    path = source.get("path") if isinstance(source, dict) else None
                    if not isinstance(path, str):
                        continue
                    assets.by_key.setdefault(str(asset_hash), path)
                    dests = entry.get("destinations")
                    for dest in dests.values() if isinstance(dests, dict) else ():
                        key = dest.get("objectKey") if isinstance(dest, dict) else None
                        if isinstance(key, str):
                            assets.by_key.setdefault(key, path)
            for entries in _mapping(artifact.get("metadata")).values():
                for entry in entries if isinstance(entries, list) else ():
                    data = entry.get("data") if isinstance(entry, dict) else None
                    if isinstance(entry, dict) and entry.get("type") == "aws:cdk:asset" and isinstance(data, dict) \
                            and isinstance(data.get("path"), str):
                        for key in ("s3BucketParameter", "s3KeyParameter", "artifactHashParameter"):
                            if isinstance(data.get(key), str):
                                assets.by_parameter[data[key]] = data["path"]
        return assets

    # ------------------------------------------------------------------ stacks

    def stack(self, directory: Path, template: str, name: str, paths: Mapping[str, str], assets: _Assets,
              depth: int) -> None:
        manifest_path = directory / MANIFEST
        target = self.contained(directory, template, manifest_path, f"stack {name!r}")
        if target is None or target in self.seen_templates:
            return
        self.seen_templates.add(target)
        file = InputFile(target, _rel(target, self.root), explicit=True)
        loaded = load_template(file)
        if loaded.document is None:
            self.results.append(loaded)
            return
        doc = loaded.document
        data = _with_resources(doc.data)
        nested: list[tuple[str, str]] = []
        for logical_id, res in _resources(data):
            meta = res.get("Metadata")
            if not isinstance(meta, dict) or PATH_KEY not in meta:
                path = paths.get(logical_id)
                if path is not None:
                    res["Metadata"] = {**(meta if isinstance(meta, dict) else {}), PATH_KEY: path}
            self.asset(doc, directory, logical_id, res, assets)
            if res.get("Type") == "AWS::CloudFormation::Stack":
                meta = res.get("Metadata")
                asset_path = meta.get(ASSET_PATH) if isinstance(meta, dict) else None
                if isinstance(asset_path, str) and asset_path.endswith(".json"):
                    nested.append((logical_id, asset_path))
        kind = doc.kind if doc.kind is DocKind.SAM else DocKind.CDK
        self.results.append(LoadResult(Document(doc.id, doc.path, kind, data, doc.marks), loaded.diagnostics))
        for logical_id, asset_path in nested:
            if depth >= MAX_NESTING:
                self.note(target, Level.WARNING, "cdk-nesting", f"nested stack {logical_id} is nested too deeply")
                continue
            line = doc.marks.position(("Resources", logical_id)).line
            nested_target = _real(directory / asset_path)
            if nested_target is None or not _inside(nested_target, directory):
                problem = "does not exist" if nested_target is None else "is outside the cloud assembly"
                self.note(target, Level.ERROR, "cdk-missing" if nested_target is None else "cdk-outside",
                          f"nested stack {logical_id}: template {asset_path} {problem}: not read", line)
                continue
            self.stack(directory, asset_path, logical_id, {}, assets, depth + 1)

    def asset(self, doc: Document, directory: Path, logical_id: str, res: dict[str, Any], assets: _Assets) -> None:
        """Point the function's ``Code`` (the layer's ``Content``) at the asset's directory."""
        prop_name = ASSET_PROPERTIES.get(str(res.get("Type")))
        props = res.get("Properties")
        if prop_name is None or not isinstance(props, dict):
            return
        meta = _mapping(res.get("Metadata"))
        asset_path = meta.get(ASSET_PATH)
        if not isinstance(asset_path, str) or meta.get(ASSET_PROPERTY, prop_name) != prop_name:
            asset_path = _asset_by_location(props.get(prop_name), assets)
        if asset_path is None:
            return
        line = doc.marks.position(("Resources", logical_id, "Properties", prop_name)).line
        candidate = Path(asset_path) if os.path.isabs(asset_path) else directory / asset_path
        real = _real(candidate)
        if real is None:
            self.note(doc.id, Level.WARNING, "cdk-missing",
                      f"{logical_id}: asset {asset_path} does not exist (or is a symlink loop): code not analysed",
                      line)
            return
        if not _inside(real, self.root):
            self.note(doc.id, Level.WARNING, "cdk-outside",
                      f"{logical_id}: asset {asset_path} is outside the scanned root: code not analysed", line)
            return
        if not _inside(real, directory):
            # `cdk synth --no-staging` (as SAM CLI uses) points the metadata at the source directory itself
            self.note(doc.id, Level.INFO, "cdk-asset-unstaged",
                      f"{logical_id}: asset {asset_path} is outside the cloud assembly (not staged): read in place",
                      line)
            source = real
        else:
            source = self.source_of(real, directory) if real.is_dir() else real
        props[prop_name] = os.path.relpath(source, doc.path.parent)

    def source_of(self, asset: Path, assembly: Path) -> Path:
        """The directory under the root the staged ``asset`` is a byte-for-byte copy of, else the asset."""
        if self.sources is None:
            self.sources = _SourceIndex.build(self.root)
        found = self.sources.match(asset, assembly)
        return found if found is not None else asset


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _construct_paths(metadata: Any) -> dict[str, str]:
    """Logical id -> construct path, from the stack artifact's ``aws:cdk:logicalId`` metadata entries."""
    out: dict[str, str] = {}
    if not isinstance(metadata, dict):
        return out
    for path, entries in metadata.items():
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and entry.get("type") == "aws:cdk:logicalId" and isinstance(entry.get("data"),
                                                                                                  str):
                out.setdefault(entry["data"], str(path).lstrip("/"))
    return out


def _with_resources(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the template deep enough to rewrite resources' ``Metadata`` and asset properties."""
    out = dict(data)
    resources = data.get("Resources")
    if isinstance(resources, dict):
        out["Resources"] = {
            k: ({**v, "Properties": dict(v["Properties"])} if isinstance(v.get("Properties"), dict) else dict(v))
            if isinstance(v, dict) else v
            for k, v in resources.items()
        }
    return out


def _resources(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    resources = data.get("Resources")
    for logical_id, res in resources.items() if isinstance(resources, dict) else ():
        if isinstance(res, dict):
            yield str(logical_id), res


def _asset_by_location(code: Any, assets: _Assets) -> str | None:
    """The staged asset an S3 location refers to, when the resource carries no asset metadata."""
    if not isinstance(code, dict):
        return None
    key = code.get("S3Key")
    if isinstance(key, str):
        found = assets.by_key.get(key) or assets.by_key.get(key.rsplit(".", 1)[0])
        if found is not None:
            return found
    for value in (code.get("S3Bucket"), key):
        refs = list(_refs(value))
        for ref in refs:
            if ref in assets.by_parameter:
                return assets.by_parameter[ref]
    return None


def _refs(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 20:
        return
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield value["Ref"]
        for v in value.values():
            yield from _refs(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v, depth + 1)


def _listing(top: Path, limit: int) -> dict[str, int] | None:
    """Relative path -> size of every file under ``top`` (no symlinked directories); None past ``limit``."""
    out: dict[str, int] = {}
    for current, dirs, names in os.walk(top, followlinks=False):
        dirs.sort()
        for name in names:
            path = Path(current) / name
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                out[path.relative_to(top).as_posix()] = path.stat().st_size
            except OSError:
                return None
            if len(out) > limit:
                return None
    return out


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        with safeio.open_file(a, 2**63 - 1) as fa, safeio.open_file(b, 2**63 - 1) as fb:
            while True:
                chunk = fa.read(65536)
                if chunk != fb.read(65536):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False


@dataclass
class _SourceIndex:
    """Files under the scanned root (outside assemblies and tool directories), by name."""

    root: Path
    by_name: dict[str, list[Path]]

    @classmethod
    def build(cls, root: Path) -> _SourceIndex:
        by_name: dict[str, list[Path]] = {}
        count = 0
        for current, dirs, names in os.walk(root, followlinks=False):
            here = Path(current)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not (here / d / "pyvenv.cfg").exists()
                             and not (here / d / MANIFEST).is_file())
            for name in names:
                by_name.setdefault(name, []).append(here / name)
                count += 1
            if count > MAX_SOURCE_FILES:
                break
        return cls(root, by_name)

    def match(self, asset: Path, assembly: Path) -> Path | None:
        listing = _listing(asset, MAX_ASSET_FILES)
        if not listing:
            return None
        anchor = min(listing, key=lambda rel: (len(self.by_name.get(rel.rsplit("/", 1)[-1], ())), rel))
        depth = anchor.count("/") + 1
        candidates: list[Path] = []
        for hit in self.by_name.get(anchor.rsplit("/", 1)[-1], ()):
            base = hit
            for _ in range(depth):
                base = base.parent
            if not _inside(base, self.root) or _inside(base, assembly):
                continue
            if self._same_tree(asset, base, listing):
                candidates.append(base)
        if not candidates:
            return None
        home = assembly.parent
        # the copy nearest the assembly's project wins (several identical copies: a monorepo's examples)
        return min(candidates, key=lambda c: (-len(os.path.commonpath([c, home])), c.as_posix()))

    def _same_tree(self, asset: Path, base: Path, listing: dict[str, int]) -> bool:
        theirs = _listing(base, MAX_ASSET_FILES)
        if theirs != listing:
            return False
        if sum(listing.values()) > MAX_COMPARE_BYTES:
            return False
        return all(_same_bytes(asset / rel, base / rel) for rel in sorted(listing))


def load_assembly(file: InputFile, root: Path) -> list[LoadResult]:
    """Every stack of the cloud assembly whose ``manifest.json`` is ``file``, one document per template."""
    reader = _Reader(root.resolve())
    directory = _real(file.path.parent)
    if directory is None or not _inside(directory, reader.root):
        return [LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "cdk-outside",
                                             "the cloud assembly is outside the scanned root: not read"),))]
    try:
        reader.assembly(directory)
    except RecursionError:
        reader.note(file.rel, Level.ERROR, "cdk-nesting", "the cloud assembly is nested too deeply to read")
    if not any(r.document is not None for r in reader.results) and not reader.diagnostics:
        reader.note(file.rel, Level.WARNING, "cdk-empty", "the cloud assembly has no CloudFormation stacks")
    return [*reader.results, LoadResult(None, tuple(reader.diagnostics))]


__all__ = ["MANIFEST", "is_assembly", "is_manifest", "load_assembly"]
