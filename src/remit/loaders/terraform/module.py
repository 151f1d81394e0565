"""A Terraform module as remit reads it: variables, locals, resources (expanded over ``count`` /
``for_each``), data sources, outputs, and local child modules (``source = "./modules/x"``) with their inputs.

Every resource instance gets its Terraform address as its name (``aws_lambda_function.api``,
``aws_s3_bucket.logs["eu"]``, ``module.auth.aws_iam_role.this[0]``); that address becomes the logical id of
the CloudFormation resource it is translated into, so findings name what the author wrote.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit import safeio, untrusted
from remit.loaders.terraform import hcl
from remit.loaders.terraform.evaluate import (
    MAX_INSTANCES,
    Archive,
    Cfn,
    Evaluator,
    JsonText,
    LDict,
    LList,
    Loc,
    Namespace,
    Scope,
    Unk,
    concat,
    is_plain,
    resource_attribute,
)

MAX_MODULE_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Ignore:
    """A ``# remit:ignore RMT-X-001 reason`` comment: its line, the line of the resource block it precedes (None
    when it is inside a block, indented; 0 when it precedes something else), the rule and the reason ("" when
    none was written)."""

    line: int
    before: int | None
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class TfFile:
    rel: str  # relative to the scanned root
    body: hcl.Body
    ignores: tuple[Ignore, ...] = ()


_IGNORE = re.compile(r"^\s*(?:#|//)\s*remit:\s*ignore\s+(?P<rule>[A-Za-z0-9-]+)\b[\s:,-]*(?P<reason>.*)$")
_BLANK_OR_COMMENT = re.compile(r"^\s*(?:(?:#|//).*)?$")


def ignores_in(text: str) -> tuple[Ignore, ...]:
    """The remit suppression comments of a ``.tf`` file."""
    if "remit:" not in text:
        return ()
    lines = text.splitlines()
    found: list[Ignore] = []
    for index, line in enumerate(lines):
        m = _IGNORE.match(line)
        if m is None:
            continue
        after = next((j for j in range(index + 1, len(lines)) if not _BLANK_OR_COMMENT.match(lines[j])), None)
        if after is not None and lines[after].lstrip().startswith("resource"):
            before: int | None = after + 1
        else:
            before = None if line[:1].isspace() else 0
        found.append(Ignore(index + 1, before, m.group("rule").upper(), m.group("reason").strip()))
    return tuple(found)


@dataclass
class Context:
    """What every module of one root shares: where files are, parsed directories, findings about the input."""

    scan_root: Path
    cwd: Path  # the root module's directory
    parse_dir: Callable[[Path], list[TfFile] | None]
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[tuple[str, int | None, str, str]] = field(default_factory=list)  # (file, line, code, message)
    modules_read: int = 0
    _installed: dict[str, str] | None = None  # modules.json, read on first need

    def note(self, file: str, line: int | None, code: str, message: str) -> None:
        self.notes.append((file, line, code, message))

    def installed(self, key: str) -> str | None:
        """The directory (relative to the root module) where ``terraform init`` put the registry or git module
        called ``key`` (``lambda``, ``app.lambda`` for a module of a module), from
        ``.terraform/modules/modules.json``; None when it is not there."""
        if self._installed is None:
            self._installed = _modules_json(self.cwd / ".terraform" / "modules" / "modules.json", self.scan_root)
        return self._installed.get(key)


class Instance:
    """One resource or data source instance."""

    def __init__(self, module: Module, block: hcl.Block, file: str, mode: str, key: Any, scope: Scope) -> None:
        self.module = module
        self.block = block
        self.file = file
        self.mode = mode  # "managed" or "data"
        self.type = block.labels[0]
        self.name = block.labels[1]
        self.key = key  # None, an int (count) or a str (for_each)
        self.scope = scope
        base = f"{module.prefix}{'data.' if mode == 'data' else ''}{self.type}.{self.name}"
        self.address = base if key is None else f"{base}[{json.dumps(key)}]"
        self._values: LDict | None = None
        self._busy = False

    @property
    def line(self) -> int:
        return self.block.line

    @property
    def loc(self) -> Loc:
        return (self.file, self.block.line)

    def values(self) -> LDict:
        """The written arguments and blocks, evaluated (blocks as lists of objects)."""
        if self._values is None:
            if self._busy:
                return LDict()
            self._busy = True
            try:
                self._values = self.module.body_values(self.block.body, self.scope, skip=("count", "for_each",
                                                                                           "provider", "depends_on",
                                                                                           "lifecycle"))
            finally:
                self._busy = False
        return self._values

    def attr(self, name: str) -> Any:
        if self.mode == "data":
            return self.module.data_attribute(self, name)
        if self.type == "archive_file" and name in ("output_path", "output_file"):  # the resource form: a local zip
            return self.module.archive(self)
        written = self.block.body.attributes.get(name)
        if written is not None and name not in ("id", "arn") and not self._busy:
            value = self.values().get(name)
            if value is not None and not isinstance(value, Unk):
                if name in _IDENTITY_ATTRS.get(self.type, ()):
                    return resource_attribute(self.type, self.address, name)
                return value
        return resource_attribute(self.type, self.address, name)


# attributes that name the resource: a Ref keeps the link to it even when the author wrote the name
_IDENTITY_ATTRS = {
    "aws_iam_role": ("name",), "aws_iam_user": ("name",), "aws_iam_group": ("name",),
    "aws_lambda_function": ("function_name",), "aws_s3_bucket": ("bucket",), "aws_dynamodb_table": ("name",),
    "aws_cloudwatch_event_bus": ("name",), "aws_cloudwatch_event_rule": ("name",),
    "aws_cloudwatch_log_group": ("name",), "aws_sqs_queue": ("name",), "aws_sns_topic": ("name",),
}


class _InstanceNS(Namespace):
    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    def attr(self, name: str, line: int) -> Any:
        return self.instance.attr(name)

    def describe(self) -> str:
        return self.instance.address


class _Group(Namespace):
    """``aws_lambda_function.api``: one instance, or several under count / for_each."""

    def __init__(self, module: Module, block: hcl.Block, file: str, mode: str) -> None:
        self.module = module
        self.block = block
        self.file = file
        self.mode = mode
        self._instances: list[Instance] | None = None
        self.expanded = "count" in block.body.attributes or "for_each" in block.body.attributes

    def instances(self) -> list[Instance]:
        if self._instances is None:
            self._instances = self.module.expand(self.block, self.file, self.mode)
        return self._instances

    def attr(self, name: str, line: int) -> Any:
        found = self.instances()
        if not self.expanded and len(found) == 1:
            return found[0].attr(name)
        if self.expanded and len(found) == 1 and found[0].key == "?":
            return found[0].attr(name)
        return Unk(f"{self.describe()}.{name} of a resource with count/for_each (index it)")

    def index(self, key: Any, line: int) -> Any:
        for inst in self.instances():
            if inst.key == key or (isinstance(key, (int, float)) and inst.key == int(key)) or inst.key == "?":
                return _InstanceNS(inst)
        return Unk(f"{self.describe()}[{key!r}] is not an instance")

    def splat(self) -> list[Any] | None:
        return [_InstanceNS(i) for i in self.instances()]

    def describe(self) -> str:
        return f"{self.block.labels[0]}.{self.block.labels[1]}"


class _TypeNS(Namespace):
    def __init__(self, groups: dict[str, _Group], rtype: str) -> None:
        self.groups = groups
        self.rtype = rtype

    def attr(self, name: str, line: int) -> Any:
        group = self.groups.get(name)
        return group if group is not None else Unk(f"{self.rtype}.{name} is not declared")


class _DataNS(Namespace):
    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str, line: int) -> Any:
        return _TypeNS(self.module.data_groups.get(name, {}), f"data.{name}")


class _VarNS(Namespace):
    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str, line: int) -> Any:
        return self.module.variable(name)


class _LocalNS(Namespace):
    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str, line: int) -> Any:
        return self.module.local(name)


class _ModuleCallNS(Namespace):
    def __init__(self, module: Module, name: str) -> None:
        self.module = module
        self.name = name

    def _children(self) -> list[tuple[Any, Module | None]]:
        return self.module.child_modules(self.name)

    def attr(self, name: str, line: int) -> Any:
        children = self._children()
        if len(children) == 1 and children[0][0] is None:
            child = children[0][1]
            return child.output(name) if child is not None else Unk(f"module.{self.name} is not read")
        if not children:
            return Unk(f"module.{self.name} is not declared")
        return Unk(f"module.{self.name}.{name} of a module with count/for_each (index it)")

    def index(self, key: Any, line: int) -> Any:
        for k, child in self._children():
            if k == key:
                return _ModuleOutputs(child, self.name)
        return Unk(f"module.{self.name}[{key!r}] is not an instance")


class _ModuleOutputs(Namespace):
    def __init__(self, child: Module | None, name: str) -> None:
        self.child = child
        self.name = name

    def attr(self, name: str, line: int) -> Any:
        return self.child.output(name) if self.child is not None else Unk(f"module.{self.name} is not read")


class _ModuleNS(Namespace):
    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str, line: int) -> Any:
        return _ModuleCallNS(self.module, name)


class Module:
    """One module instance: the root module, or a local child module called with inputs."""

    def __init__(self, files: list[TfFile], directory: str, prefix: str, ctx: Context,
                 inputs: dict[str, Callable[[], Any]] | None = None, tfvars: dict[str, Any] | None = None,
                 depth: int = 0, stack: tuple[str, ...] = ()) -> None:
        self.files = files
        self.directory = directory  # relative to the root module's directory ("." for the root)
        self.prefix = prefix
        self.ctx = ctx
        self.inputs = inputs
        self.tfvars = tfvars or {}
        self.depth = depth
        self.stack = stack
        self.evaluator = Evaluator(self._lookup, ctx.scan_root, ctx.cwd)
        self.variables: dict[str, tuple[hcl.Block, str]] = {}
        self.locals: dict[str, tuple[hcl.Attribute, str]] = {}
        self.outputs: dict[str, tuple[hcl.Block, str]] = {}
        self.groups: dict[str, dict[str, _Group]] = {}
        self.data_groups: dict[str, dict[str, _Group]] = {}
        self.module_blocks: dict[str, tuple[hcl.Block, str]] = {}
        self._local_values: dict[str, Any] = {}
        self._busy_locals: set[str] = set()
        self._children: dict[str, list[tuple[Any, Module | None]]] = {}
        self._busy_children: set[str] = set()
        for f in files:
            for block in f.body.blocks:
                self._declare(block, f.rel)

    def _declare(self, block: hcl.Block, file: str) -> None:
        labels = block.labels
        if block.type == "variable" and labels:
            self.variables.setdefault(labels[0], (block, file))
        elif block.type == "locals":
            for name, attr in block.body.attributes.items():
                self.locals.setdefault(name, (attr, file))
        elif block.type == "output" and labels:
            self.outputs.setdefault(labels[0], (block, file))
        elif block.type == "resource" and len(labels) == 2:
            self.groups.setdefault(labels[0], {}).setdefault(labels[1], _Group(self, block, file, "managed"))
        elif block.type == "data" and len(labels) == 2:
            self.data_groups.setdefault(labels[0], {}).setdefault(labels[1], _Group(self, block, file, "data"))
        elif block.type == "module" and labels:
            self.module_blocks.setdefault(labels[0], (block, file))

    # -- names ------------------------------------------------------------------------------------
    def _lookup(self, name: str, scope: Scope) -> Any:
        if name == "var":
            return _VarNS(self)
        if name == "local":
            return _LocalNS(self)
        if name == "data":
            return _DataNS(self)
        if name == "module":
            return _ModuleNS(self)
        if name == "path":
            return LDict({"module": self.directory, "root": ".", "cwd": "."})
        if name == "terraform":
            return LDict({"workspace": "default"})
        if name in ("count", "each", "self"):
            return Unk(f"{name} outside a resource that defines it")
        if name in self.groups:
            return _TypeNS(self.groups[name], name)
        return None

    def eval(self, expr: hcl.Expr, scope: Scope) -> Any:
        return self.evaluator.eval(expr, scope)

    def variable(self, name: str) -> Any:
        if self.inputs is not None and name in self.inputs:
            return self.inputs[name]()
        if name in self.tfvars:
            return self.tfvars[name]
        found = self.variables.get(name)
        if found is None:
            return Unk(f"var.{name} is not declared")
        block, file = found
        default = block.body.attributes.get("default")
        if default is not None:  # `default = null` too: an optional variable, null unless the deployer sets it
            return self.eval(default.expr, Scope(file))
        if self.inputs is not None:
            return Unk(f"module input {name} is not set and has no default")
        param = f"var.{name}"
        sensitive = block.body.attributes.get("sensitive")
        spec: dict[str, Any] = {"Type": "String", "Description": "a Terraform variable without a default"}
        if sensitive is not None and isinstance(sensitive.expr, hcl.Lit) and sensitive.expr.value is True:
            spec["NoEcho"] = True
        self.ctx.parameters[param] = spec
        return Cfn({"Ref": param})

    def local(self, name: str) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        found = self.locals.get(name)
        if found is None:
            return Unk(f"local.{name} is not defined")
        if name in self._busy_locals:
            return Unk(f"local.{name} refers to itself")
        self._busy_locals.add(name)
        try:
            attr, file = found
            value = self.eval(attr.expr, Scope(file))
        finally:
            self._busy_locals.discard(name)
        self._local_values[name] = value
        return value

    def output(self, name: str) -> Any:
        found = self.outputs.get(name)
        if found is None:
            return Unk(f"output {name} is not declared")
        block, file = found
        value = block.body.attributes.get("value")
        return self.eval(value.expr, Scope(file)) if value is not None else None

    # -- resources ----------------------------------------------------------------------------------
    def expand(self, block: hcl.Block, file: str, mode: str) -> list[Instance]:
        attrs = block.body.attributes
        scope = Scope(file)
        if "count" in attrs:
            count = self.eval(attrs["count"].expr, scope)
            if isinstance(count, bool) or not isinstance(count, (int, float)):
                self.ctx.note(file, attrs["count"].line, "terraform-unknown",
                              f"count of {block.labels[0]}.{block.labels[1]} is known only at apply: one instance "
                              "analysed")
                return [Instance(self, block, file, mode, "?", scope.bind(count=LDict({"index": Unk(
                    "count.index of a count known only at apply")})))]
            n = max(0, min(int(count), MAX_INSTANCES))
            return [Instance(self, block, file, mode, i, scope.bind(count=LDict({"index": i}))) for i in range(n)]
        if "for_each" in attrs:
            coll = self.eval(attrs["for_each"].expr, scope)
            if isinstance(coll, JsonText):
                coll = coll.value
            pairs: list[tuple[str, Any]] | None = None
            if isinstance(coll, _Group):  # for_each = aws_s3_bucket.data: one instance per instance of it
                keyed = [i for i in coll.instances() if isinstance(i.key, str) and i.key != "?"]
                if keyed:
                    pairs = [(str(i.key), _InstanceNS(i)) for i in keyed]
            elif isinstance(coll, dict) and all(isinstance(k, str) for k in coll):
                pairs = list(coll.items())
            elif isinstance(coll, list) and all(isinstance(v, str) for v in coll):
                pairs = [(v, v) for v in coll]
            if pairs is None:
                self.ctx.note(file, attrs["for_each"].line, "terraform-unknown",
                              f"for_each of {block.labels[0]}.{block.labels[1]} is known only at apply: one "
                              "instance analysed")
                unknown = Unk("each of a for_each known only at apply")
                return [Instance(self, block, file, mode, "?", scope.bind(each=LDict({"key": unknown,
                                                                                       "value": unknown})))]
            return [Instance(self, block, file, mode, k, scope.bind(each=LDict({"key": k, "value": v})))
                    for k, v in pairs[:MAX_INSTANCES]]
        return [Instance(self, block, file, mode, None, scope)]

    def body_values(self, body: hcl.Body, scope: Scope, skip: tuple[str, ...] = ()) -> LDict:
        out = LDict()
        for name, attr in body.attributes.items():
            if name in skip:
                continue
            out[name] = self.eval(attr.expr, scope)
            out.locs[name] = (scope.file, attr.line)
        for block in body.blocks:
            if block.type in skip:
                continue
            if block.type == "dynamic" and block.labels:
                self._dynamic(block, scope, out)
                continue
            items = out.get(block.type)
            if not isinstance(items, LList):
                items = out[block.type] = LList()
                out.locs[block.type] = (scope.file, block.line)
            items.append(self.body_values(block.body, scope))
            items.locs.append((scope.file, block.line))
        return out

    def _dynamic(self, block: hcl.Block, scope: Scope, out: LDict) -> None:
        name = block.labels[0]
        attrs = block.body.attributes
        iterator = name
        if "iterator" in attrs and isinstance(attrs["iterator"].expr, hcl.Name):
            iterator = attrs["iterator"].expr.name
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None or "for_each" not in attrs:
            return
        coll = self.eval(attrs["for_each"].expr, scope)
        if isinstance(coll, JsonText):
            coll = coll.value
        pairs: list[tuple[Any, Any]]
        if isinstance(coll, dict):
            pairs = list(coll.items())
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            self.ctx.note(scope.file, block.line, "terraform-unknown",
                          f"dynamic {name} block over a collection known only at apply: not expanded")
            return
        items = out.get(name)
        if not isinstance(items, LList):
            items = out[name] = LList()
            out.locs[name] = (scope.file, block.line)
        for k, v in pairs[:MAX_INSTANCES]:
            items.append(self.body_values(content.body, scope.bind(**{iterator: LDict({"key": k, "value": v})})))
            items.locs.append((scope.file, content.line))

    def instances(self) -> Iterator[Instance]:
        """Every managed resource instance, this module's and its children's."""
        for groups in self.groups.values():
            for group in groups.values():
                yield from group.instances()
        for name in self.module_blocks:
            for _key, child in self.child_modules(name):
                if child is not None:
                    yield from child.instances()

    def data_instances(self) -> Iterator[Instance]:
        for groups in self.data_groups.values():
            for group in groups.values():
                yield from group.instances()
        for name in self.module_blocks:
            for _key, child in self.child_modules(name):
                if child is not None:
                    yield from child.data_instances()

    def data_attribute(self, inst: Instance, name: str) -> Any:
        kind = inst.type
        if kind == "aws_caller_identity":
            if name == "account_id":
                return Cfn({"Ref": "AWS::AccountId"})
            return Unk(f"data.aws_caller_identity.{name} (the caller, at plan time)")
        if kind == "aws_region":
            return Cfn({"Ref": "AWS::Region"}) if name in ("name", "id", "region") else Unk("region detail")
        if kind == "aws_partition":
            if name == "partition":
                return Cfn({"Ref": "AWS::Partition"})
            if name == "dns_suffix":
                return Cfn({"Ref": "AWS::URLSuffix"})
            return Unk(f"data.aws_partition.{name}")
        if kind == "aws_iam_policy_document" and name in ("json", "minified_json"):
            from remit.loaders.terraform.policy import policy_document  # noqa: PLC0415 - the policy reader imports the module reader: a cycle at load time

            return JsonText(policy_document(inst, self))
        if kind == "archive_file" and name in ("output_path", "output_file"):
            return self.archive(inst)
        if kind == "aws_iam_role" and name == "arn":
            role = inst.values().get("name")
            if isinstance(role, str):
                return concat(["arn:", Cfn({"Ref": "AWS::Partition"}), ":iam::", Cfn({"Ref": "AWS::AccountId"}),
                               f":role/{role}"])
        values = inst.values()
        if name in values and is_plain(values[name]):
            return values[name]
        return Unk(f"data.{kind}.{inst.name}.{name} is read from the account at plan time")

    def archive(self, inst: Instance) -> Archive | Unk:
        """The zip an ``archive_file`` (data source or resource) makes: the directory or file it packs."""
        values = inst.values()
        source = values.get("source_dir")
        is_dir = True
        if source is None:
            source, is_dir = values.get("source_file"), False
        output = values.get("output_path")
        if isinstance(source, str):
            return Archive(posixpath.normpath(source), is_dir, output if isinstance(output, str) else "")
        blocks = values.get("source")
        if blocks is not None:
            files = [(b.get("filename"), b.get("content")) for b in (blocks if isinstance(blocks, list) else [blocks])
                     if isinstance(b, dict)]
            known = tuple((f, c) for f, c in files if isinstance(f, str) and isinstance(c, str))
            if not known:
                return Unk("archive_file of source { content } blocks whose file names or contents are known only "
                           "at apply")
            return Archive("", False, output if isinstance(output, str) else "", known)
        return Unk("archive_file without a known source_dir or source_file")

    # -- child modules --------------------------------------------------------------------------------
    def child_modules(self, name: str) -> list[tuple[Any, Module | None]]:
        if name in self._children:
            return self._children[name]
        found = self.module_blocks.get(name)
        if found is None:
            return []
        if name in self._busy_children:
            return [(None, None)]
        self._busy_children.add(name)
        try:
            self._children[name] = self._call_module(name, *found)
        finally:
            self._busy_children.discard(name)
        return self._children[name]

    def _call_module(self, name: str, block: hcl.Block, file: str) -> list[tuple[Any, Module | None]]:
        attrs = block.body.attributes
        scope = Scope(file)
        source = self.eval(attrs["source"].expr, scope) if "source" in attrs else None
        keys: list[tuple[Any, Scope]] = [(None, scope)]
        if "count" in attrs or "for_each" in attrs:
            probe = hcl.Block("module", (name, name), block.body, block.line)
            keys = [(inst.key, inst.scope) for inst in self.expand(probe, file, "managed")]
        if isinstance(source, str) and source.startswith(("./", "../")):
            directory = posixpath.normpath(posixpath.join(self.directory, source))
        else:
            installed = self.ctx.installed(".".join([*_MODULE_NAME.findall(self.prefix), name]))
            if installed is None:
                self.ctx.note(file, block.line, "module-not-read",
                              f"module {name}: source {source!r} is not a local directory and is not downloaded "
                              "under .terraform/modules (run `terraform init`, then scan again); its resources "
                              "are not analysed and its outputs are unknown")
                return [(k, None) for k, _ in keys]
            directory = posixpath.normpath(installed)
        if self.depth >= MAX_MODULE_DEPTH or directory in self.stack:
            self.ctx.note(file, block.line, "module-not-read", f"module {name}: nested too deeply or recursive")
            return [(k, None) for k, _ in keys]
        path = (self.ctx.cwd / directory).resolve()
        root = self.ctx.scan_root.resolve()
        if path != root and root not in path.parents:
            self.ctx.note(file, block.line, "module-not-read",
                          f"module {name}: {source} is outside the scanned root")
            return [(k, None) for k, _ in keys]
        files = self.ctx.parse_dir(path)
        if not files:
            self.ctx.note(file, block.line, "module-not-read", f"module {name}: no .tf files in {source}")
            return [(k, None) for k, _ in keys]
        out: list[tuple[Any, Module | None]] = []
        for key, inner in keys:
            inputs: dict[str, Callable[[], Any]] = {}
            for arg, attr in attrs.items():
                if arg in ("source", "version", "count", "for_each", "providers", "depends_on"):
                    continue
                inputs[arg] = _lazy(self, attr.expr, inner)
            suffix = "" if key is None else f"[{json.dumps(key)}]"
            self.ctx.modules_read += 1
            out.append((key, Module(files, directory, f"{self.prefix}module.{name}{suffix}.", self.ctx, inputs,
                                    depth=self.depth + 1, stack=(*self.stack, self.directory))))
        return out


_MODULE_NAME = re.compile(r"module\.([^.\[]+)")
MAX_MODULES_JSON = 4_000_000


def _modules_json(path: Path, root: Path) -> dict[str, str]:
    """``Key`` -> ``Dir`` of the modules ``terraform init`` downloaded; nothing when the file is missing,
    unreadable, outside the scanned root or not the JSON Terraform writes."""
    try:
        real = path.resolve(strict=True)
        if not real.is_relative_to(root.resolve()) or real.stat().st_size > MAX_MODULES_JSON:
            return {}
        data = untrusted.json_loads(safeio.read_bytes(real, MAX_MODULES_JSON))
    except (OSError, ValueError, RuntimeError):
        return {}
    modules = data.get("Modules") if isinstance(data, dict) else None
    return {m["Key"]: m["Dir"] for m in modules if isinstance(m, dict) and isinstance(m.get("Key"), str)
            and isinstance(m.get("Dir"), str) and m["Key"]} if isinstance(modules, list) else {}


def _lazy(module: Module, expr: hcl.Expr, scope: Scope) -> Callable[[], Any]:
    cache: list[Any] = []

    def value() -> Any:
        if not cache:
            cache.append(module.eval(expr, scope))
        return cache[0]

    return value


def list_of(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


__all__ = ["Context", "Ignore", "Instance", "LList", "Module", "TfFile", "ignores_in", "list_of"]
