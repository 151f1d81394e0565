"""Serverless Framework (``serverless.yml`` / ``serverless.yaml``) read as a SAM-shaped document.

The service is rewritten into the SAM resources the framework would deploy (one ``AWS::Serverless::Function`` per
function, with its role or statements, events, environment, runtime, reserved concurrency, layers and code
location), the ``resources:`` CloudFormation section is merged in, and every synthesized node is marked at the
line of the serverless.yml key it came from, so findings point at the author's file.

Variables (``${self:}``, ``${sls:stage}``, ``${opt:x, default}``, ``${file(...)}`` of YAML/JSON inside the
scanned root, defaults and nesting) are resolved; what cannot be known offline (``${env:}`` and ``${opt:}``
without a default, ``${ssm:}``, ``${cf:}``, JavaScript resolvers, files outside the root...) becomes an explicit
``Fn::Unknown`` node (``remit.model.values.Unknown`` in the model) and an ``unresolved-variable`` diagnostic.
Nothing of the scanned app is executed and the environment is not read. See docs/formats.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from remit import safeio
from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, LoadResult
from remit.errors import LoadError
from remit.loaders.cloudformation import SAM_TRANSFORM, read_text
from remit.loaders.discover import InputFile
from remit.loaders.marked import Loaded, load_yaml
from remit.source import Path, SourceMap

NAMES = frozenset({"serverless.yml", "serverless.yaml"})
_VAR = re.compile(r"\$\{([^${}]*)\}")
_MAX_PASSES = 10
DEFAULT_RUNTIME = "nodejs20.x"  # what the framework deploys when no runtime is written
DEFAULT_STAGE = "dev"  # the framework's stage when neither --stage nor provider.stage says otherwise
UNKNOWN_KEY = "Fn::Unknown"  # remit's own intrinsic: remit.model.intrinsics resolves it to Unknown(reason)


def is_serverless(file: InputFile) -> bool:
    return file.path.name.lower() in NAMES


def _logical(name: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", name)
    base = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return (base or "Function") + "LambdaFunction"


_SOURCE = re.compile(r"^(?P<src>[A-Za-z][A-Za-z0-9-]*)(?:\((?P<arg>[^()]*)\))?:(?!:)(?P<rest>.*)$", re.S)
_FILE = re.compile(r"^file\((?P<arg>[^()]*)\)(?::(?P<rest>.*))?$", re.S)
_TOKEN = re.compile("\x00(\\d+)\x00")
_MAX_DEPTH = 20  # nested or chained references followed before giving up (also stops cycles)
_MAX_FILE_BYTES = 1_000_000
_SCRIPT_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"})
_PSEUDO = {"accountId": "AWS::AccountId", "region": "AWS::Region"}
_FRAMEWORK_DEFAULTS = {"provider.stage": DEFAULT_STAGE, "provider.region": "us-east-1"}  # when not written


def _is_node(value: Any) -> bool:
    """A CloudFormation intrinsic (``Ref``, ``Fn::...``) standing in for a value."""
    return isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in ("Ref", UNKNOWN_KEY, "Fn::Join",
                                                                                  "Fn::GetAtt", "Fn::Sub",
                                                                                  "Fn::ImportValue")


@dataclass(frozen=True, slots=True)
class _Missing:
    reason: str


@dataclass(frozen=True, slots=True)
class _Piece:
    """A value with where it was written: its marks, its key path in them, and its file (None: serverless.yml)."""

    data: Any
    marks: SourceMap
    at: Path
    file: str | None


@dataclass(frozen=True, slots=True)
class _Problem:
    """Part of the service remit could not read: why, and where (file None: the serverless.yml)."""

    message: str
    file: str | None
    line: int


_WHOLE_FILE = re.compile(r"^\$\{file\((?P<arg>[^()]*)\)(?::(?P<sel>[^${}]*))?\}$")


def unknown_node(reason: str) -> dict[str, str]:
    """A template node the model resolves to :class:`remit.model.values.Unknown` with ``reason``."""
    return {UNKNOWN_KEY: reason}


class _Resolver:
    """Resolves ``${...}`` variables the way the framework would, offline.

    Each variable is replaced by its value, or by a token standing for a template node: an explicit unknown
    (``Fn::Unknown``) for what cannot be known offline, a pseudo parameter ``Ref``, or CloudFormation's own
    ``${Name}`` text (``Fn::Sub`` variables are not the framework's and stay as written). A string that ends up
    with unknown parts becomes ``Fn::Join`` of its known text and the unknowns.
    """

    def __init__(self, data: Mapping[str, Any], service_dir: FsPath, root: FsPath) -> None:
        self.data = data
        self.service_dir = service_dir
        self.root = root
        self.unresolved: dict[str, str] = {}  # variable as written -> why it is unknown
        self._tokens: list[Any] = []  # token index -> str (literal text) or template node
        self._files: dict[FsPath, Loaded | _Missing] = {}
        self.fragments: list[str] = []  # files read as parts of the service (relative to the scanned root)
        self._depth = 0

    # -- values ---------------------------------------------------------------------------------
    def value(self, node: Any, depth: int = 0) -> Any:
        if isinstance(node, str):
            return self.string(node)
        if depth > 64:
            return node
        if isinstance(node, Mapping):
            return {k: self.value(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v, depth + 1) for v in node]
        return node

    def _token(self, node: Any) -> str:
        self._tokens.append(node)
        return f"\x00{len(self._tokens) - 1}\x00"

    def string(self, text: str) -> Any:
        if "${" not in text:
            return text
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                return self._unknown(text, "variables nested too deeply or referring to each other in a cycle")
            return self._finish(self._substitute(text))
        finally:
            self._depth -= 1

    def _substitute(self, text: str) -> Any:
        for _ in range(1000):
            m = _VAR.search(text)
            if m is None:
                return text
            found = self._lookup(m.group(1).strip(), m.group(0))
            if isinstance(found, _Missing):
                found = self._token(self._unknown(self._written(m.group(0)), found.reason))
            whole = m.span() == (0, len(text))
            if whole and not isinstance(found, str):
                return found
            if _is_node(found):
                found = self._token(found)
            elif isinstance(found, (Mapping, list)):
                found = self._token(self._unknown(self._written(m.group(0)), "a list or map inside a string"))
            elif isinstance(found, bool):
                found = "true" if found else "false"
            elif not isinstance(found, str):
                found = str(found)
            text = text[: m.start()] + found + text[m.end():]
        return self._token(self._unknown(text, "too many variables in one string"))

    def _finish(self, value: Any) -> Any:
        if not isinstance(value, str) or "\x00" not in value:
            return value
        parts: list[Any] = []
        for i, piece in enumerate(_TOKEN.split(value)):
            node = self._tokens[int(piece)] if i % 2 else piece
            if isinstance(node, str):
                if node and parts and isinstance(parts[-1], str):
                    parts[-1] += node
                elif node:
                    parts.append(node)
            else:
                parts.append(node)
        if not parts:
            return ""
        if len(parts) == 1:
            return parts[0]
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        return {"Fn::Join": ["", parts]}

    def _written(self, text: str) -> str:
        """The variable as the author wrote it, for messages (tokens turned back into readable text)."""
        return _TOKEN.sub(lambda m: self._show(self._tokens[int(m.group(1))]), text)

    def _show(self, node: Any) -> str:
        if isinstance(node, str):
            return node
        if isinstance(node, Mapping) and UNKNOWN_KEY in node:
            return "<unknown>"
        return "<value>"

    def _unknown(self, written: str, reason: str) -> dict[str, str]:
        self.unresolved.setdefault(written, reason)
        return unknown_node(f"serverless variable {written}: {reason}")

    # -- lookups --------------------------------------------------------------------------------
    def _lookup(self, expr: str, written: str) -> Any:
        """The value of one variable body (inner variables already replaced), or why it is unknown."""
        first, comma, rest = expr.partition(",")
        first = first.strip()
        if comma:  # ${a, b, ...}: the first that resolves
            found = self._one(first, written)
            if not isinstance(found, _Missing) and found is not None:
                return found
            return self._default(rest.strip(), written)
        found = self._one(first, written)
        return _Missing("not set") if found is None else found

    def _default(self, expr: str, written: str) -> Any:
        first, comma, rest = expr.partition(",")
        value = self._literal(first.strip())
        if isinstance(value, _Missing):
            value = self._one(first.strip(), written, bare=True)
        if (isinstance(value, _Missing) or value is None) and comma:
            return self._default(rest.strip(), written)
        return _Missing("not set") if value is None else value

    def _literal(self, text: str) -> Any:
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        token = _TOKEN.fullmatch(text)
        if token:
            node = self._tokens[int(token.group(1))]
            return text if not isinstance(node, str) else node
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return int(text) if text.lstrip("-").isdigit() else float(text)
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        return _Missing("not a literal")

    def _one(self, expr: str, written: str, *, bare: bool = False) -> Any:
        literal = self._literal(expr)
        if not isinstance(literal, _Missing):
            return literal
        fm = _FILE.match(expr)
        if fm is not None:
            return self._file(fm.group("arg"), fm.group("rest") or "")
        m = _SOURCE.match(expr)
        if m is None:
            if bare:  # a default written without quotes
                return expr
            # not one of the framework's sources: CloudFormation's own ${Name} (inside Fn::Sub); kept as written
            return self._token("${" + expr + "}")
        src, arg, rest = m.group("src"), m.group("arg"), m.group("rest").strip()
        if src == "self":
            return self._walk(self.data, rest, "self")
        if src == "sls":
            if rest == "stage":
                return self._stage()
            return _Missing(f"sls:{rest} is known only at deploy time")
        if src == "opt":
            return _Missing(f"the --{rest} option is given at deploy time (write a default: ${{opt:{rest}, value}})")
        if src == "env":
            return _Missing(f"environment variable {rest} of the deploying machine; remit does not read the "
                            "environment (write a default: ${env:NAME, value})")
        if src == "aws" and rest in _PSEUDO:
            return {"Ref": _PSEUDO[rest]}
        reasons = {"ssm": "an SSM parameter read at deploy time", "cf": "another stack's output",
                   "s3": "an S3 object read at deploy time", "param": "a Serverless Dashboard parameter",
                   "aws": "an AWS value known at deploy time"}
        return _Missing(reasons.get(src, f"variable source {src!r}{'(' + arg + ')' if arg else ''} "
                                         "is not resolved offline"))

    def _stage(self) -> Any:
        prov = self.data.get("provider")
        stage = prov.get("stage") if isinstance(prov, Mapping) else None
        if isinstance(stage, str) and "sls:stage" not in stage:
            stage = self.string(stage)
        return stage if isinstance(stage, str) and stage else DEFAULT_STAGE

    def _walk(self, node: Any, path: str, what: str) -> Any:
        if what == "self" and path.strip(".") in _FRAMEWORK_DEFAULTS and self._walk_raw(node, path) is None:
            return self._stage() if path.strip(".") == "provider.stage" else _FRAMEWORK_DEFAULTS[path.strip(".")]
        for part in [p for p in path.split(".") if p]:
            if isinstance(node, str) and "${" in node:  # a value made of variables: resolve it to go on
                resolved = self.string(node)
                if isinstance(resolved, Mapping) and UNKNOWN_KEY in resolved:
                    return _Missing(f"it lies inside {self._written(node)}, which is unknown")
                node = resolved
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return _Missing(f"{what}:{path} is not in the file")
        if node is None:
            return None
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                return _Missing("variables nested too deeply or referring to each other in a cycle")
            return self.value(node)
        finally:
            self._depth -= 1

    @staticmethod
    def _walk_raw(node: Any, path: str) -> Any:
        for part in [p for p in path.split(".") if p]:
            node = node.get(part) if isinstance(node, Mapping) else None
        return node

    def _target(self, arg: str) -> FsPath | _Missing:
        """The file a ``${file(arg)}`` names, when remit may read it."""
        name = arg.strip().strip("'\"")
        if "\x00" in name or "${" in name or not name:
            return _Missing("a file name known only at deploy time")
        target = (self.service_dir / name).resolve()
        if not target.is_relative_to(self.root):
            return _Missing("the file is outside the scanned root; remit reads files only inside it")
        if target.suffix.lower() in _SCRIPT_SUFFIXES:
            return _Missing("a JavaScript/TypeScript variable resolver; remit never runs the scanned app's code")
        if target.suffix.lower() not in (".yml", ".yaml", ".json"):
            return _Missing("only YAML and JSON files are read")
        return target

    def _loaded(self, target: FsPath) -> Loaded | _Missing:
        if target not in self._files:
            self._files[target] = self._read(target)
        found: Loaded | _Missing = self._files[target]
        return found

    def _file(self, arg: str, selector: str) -> Any:
        target = self._target(arg)
        if isinstance(target, _Missing):
            return target
        loaded = self._loaded(target)
        if isinstance(loaded, _Missing):
            return loaded
        return self._walk(loaded.data, selector.strip(), f"file({arg.strip()})")

    def fragment(self, written: str) -> _Piece | _Missing | None:
        """A whole ``${file(path)}`` / ``${file(path):a.b}`` value read with its marks (a ``resources:``
        fragment); None when ``written`` is not one."""
        m = _WHOLE_FILE.match(written.strip())
        if m is None:
            return None
        target = self._target(m.group("arg"))
        if isinstance(target, _Missing):
            return target
        loaded = self._loaded(target)
        if isinstance(loaded, _Missing):
            return loaded
        node: Any = loaded.data
        at: Path = ()
        for part in [p for p in (m.group("sel") or "").strip().split(".") if p]:
            key: str | int = int(part) if isinstance(node, list) and part.isdigit() else part
            present = key in node if isinstance(node, Mapping) else \
                isinstance(node, list) and isinstance(key, int) and key < len(node)
            if not present:
                return _Missing(f"{part} is not in the file")
            node = node[key]
            at = (*at, key)
        rel = target.relative_to(self.root).as_posix()
        self.fragments.append(rel)
        return _Piece(node, loaded.marks, at, rel)

    @staticmethod
    def _read(target: FsPath) -> Loaded | _Missing:
        try:
            if not target.is_file():
                return _Missing("the file does not exist")
            if target.stat().st_size > _MAX_FILE_BYTES:
                return _Missing("the file is too large")
            text = safeio.read_text(target, _MAX_FILE_BYTES)
        except (OSError, UnicodeDecodeError):
            return _Missing("the file cannot be read")
        try:
            return load_yaml(text)
        except LoadError:
            return _Missing("the file is not valid YAML or JSON")


def _copy_marks(src: SourceMap, out: dict[Path, tuple[int, int]], src_prefix: Path, dst_prefix: Path,
                files: dict[Path, str] | None = None, file: str | None = None) -> None:
    """Marks under ``src_prefix`` re-rooted at ``dst_prefix``; with ``files``, each copied mark's file (``file``
    for a whole fragment file, else the file ``src`` names for it) is recorded too."""
    n = len(src_prefix)
    for path, pos in src.marks.items():
        if path[:n] == src_prefix:
            dst = dst_prefix + path[n:]
            if dst in out:
                continue
            out[dst] = pos
            in_file = file or src.files.get(path)
            if files is not None and in_file is not None:
                files[dst] = in_file


SECTIONS = ("Resources", "Outputs", "Conditions", "Parameters", "Mappings", "Metadata", "extensions")
_QUIET_SECTIONS = frozenset({"AWSTemplateFormatVersion", "Description", "Transform"})


def _opened(piece: _Piece, resolver: _Resolver) -> _Piece | _Missing:
    """``piece`` itself, or the fragment file its ``${file(...)}`` value names."""
    if isinstance(piece.data, str):
        found = resolver.fragment(piece.data)
        if found is not None:
            return found
    return piece


class _Merge:
    """Fragments merged into one mapping in order (a later entry wins), each entry keeping the marks of the file
    it came from; what cannot be read is a problem with its line, never silence."""

    def __init__(self, marks: SourceMap, resolver: _Resolver, top: str, raw: Any) -> None:
        self.marks, self.resolver, self.top, self.raw = marks, resolver, top, raw
        self.out = {k: v for k, v in marks.marks.items() if k[:1] != (top,) or len(k) == 1}
        self.files: dict[Path, str] = dict(marks.files)
        self.problems: list[_Problem] = []

    def problem(self, message: str, piece: _Piece) -> None:
        self.problems.append(_Problem(message, piece.file, piece.marks.position(piece.at).line))

    def items(self) -> list[tuple[str, _Piece]]:
        if isinstance(self.raw, list):
            return [(f"{self.top}[{i}]", _Piece(item, self.marks, (self.top, i), None))
                    for i, item in enumerate(self.raw)]
        return [(self.top, _Piece(self.raw, self.marks, (self.top,), None))]

    def entries(self, where: str, piece: _Piece) -> list[tuple[str, _Piece]]:
        """The (key, value) entries of a mapping piece, each opened when it is a ``${file(...)}``."""
        opened = _opened(piece, self.resolver)
        if isinstance(opened, _Missing) or not isinstance(opened.data, Mapping):
            why = opened.reason if isinstance(opened, _Missing) else \
                f"a {type(opened.data).__name__}, not a mapping"
            self.problem(f"{where} {_shown(piece.data)}: {why}; not read", piece)
            return []
        out: list[tuple[str, _Piece]] = []
        for key, value in opened.data.items():
            entry = _opened(_Piece(value, opened.marks, (*opened.at, key), opened.file), self.resolver)
            if isinstance(entry, _Missing):
                self.problem(f"{where}.{key} {_shown(value)}: {entry.reason}; not read",
                             _Piece(value, opened.marks, (*opened.at, key), opened.file))
                continue
            out.append((str(key), entry))
        return out

    def place(self, dst: Path, entry: _Piece) -> None:
        for path in [p for p in self.out if p[:len(dst)] == dst]:  # a later fragment replaces an earlier one
            del self.out[path]
            self.files.pop(path, None)
        _copy_marks(entry.marks, self.out, entry.at, dst, self.files, entry.file)
        self.out.setdefault(dst, (1, 1))

    def source_map(self) -> SourceMap:
        return SourceMap(self.out, self.files)


def _shown(value: Any) -> str:
    return repr(value)[:80] if isinstance(value, str) else f"({type(value).__name__})"


def _fragments(data: Mapping[str, Any], marks: SourceMap,
               resolver: _Resolver) -> tuple[dict[str, Any], SourceMap, list[_Problem]]:
    """``resources:`` and ``functions:`` as plain mappings, however they were written: a mapping, a list of
    fragments (inline or ``${file(...)}``), sections, single resources or functions read from files. Returns the
    service data with those mappings, its marks (into each fragment's own file), and what could not be read."""
    out = dict(data)
    problems: list[_Problem] = []
    if data.get("resources") is not None:
        merge = _Merge(marks, resolver, "resources", data["resources"])
        sections: dict[str, dict[str, Any]] = {}
        for where, item in merge.items():
            for section, body in merge.entries(where, item):
                if section in _QUIET_SECTIONS:
                    continue
                if section not in SECTIONS:
                    merge.problem(f"{where}: {section} is not a section remit reads ({', '.join(SECTIONS)}); "
                                  "not read", body)
                    continue
                for key, entry in merge.entries(f"{where}.{section}", body):
                    sections.setdefault(section, {})[key] = entry.data
                    merge.place(("resources", section, key), entry)
                merge.out.setdefault(("resources", section), body.marks.marks.get(body.at, (1, 1)))
        out["resources"] = sections
        marks = merge.source_map()
        problems += merge.problems
    if isinstance(data.get("functions"), (list, str)):
        merge = _Merge(marks, resolver, "functions", data["functions"])
        functions: dict[str, Any] = {}
        for where, item in merge.items():
            for name, entry in merge.entries(where, item):
                functions[name] = entry.data
                merge.place(("functions", name), entry)
        out["functions"] = functions
        marks = merge.source_map()
        problems += merge.problems
    return out, marks, problems


def _fn_arn(ref: Any) -> Any:
    if isinstance(ref, str) and not ref.startswith("arn:") and "${" not in ref:
        return {"Fn::GetAtt": [_logical(ref), "Arn"]}
    return ref


def _rest_auth(spec: Mapping[str, Any], apis: _Apis) -> dict[str, Any] | None:
    auth = spec.get("authorizer")
    if auth is None:
        return None
    if isinstance(auth, str):
        auth = {"arn": auth} if auth.startswith("arn:") else {"type": auth} if auth.lower() == "aws_iam" \
            else {"name": auth}
    if not isinstance(auth, Mapping):
        return None
    if str(auth.get("type", "")).lower() == "aws_iam":
        return {"Authorizer": "AWS_IAM"}
    arn = auth.get("arn")
    name = str(auth.get("name") or (arn.rsplit(":", 1)[-1] if isinstance(arn, str) else "Authorizer"))
    key = re.sub(r"[^A-Za-z0-9]", "", name) or "Authorizer"
    if str(auth.get("type", "")).upper() == "COGNITO_USER_POOLS" or (isinstance(arn, str) and ":userpool/" in arn):
        apis.rest_authorizers[key] = {"UserPoolArn": arn}
    else:
        apis.rest_authorizers[key] = {"FunctionArn": _fn_arn(arn if arn is not None else auth.get("name"))}
    return {"Authorizer": key}


def _http_auth(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    auth = spec.get("authorizer")
    if isinstance(auth, str):
        auth = {"type": auth} if auth.lower() == "aws_iam" else {"name": auth}
    if not isinstance(auth, Mapping):
        return None
    if str(auth.get("type", "")).lower() == "aws_iam":
        return {"Authorizer": "AWS_IAM"}
    if auth.get("name") is not None:
        return {"Authorizer": re.sub(r"[^A-Za-z0-9]", "", str(auth["name"])) or "Authorizer"}
    return None


class _Apis:
    def __init__(self) -> None:
        self.rest = False
        self.http = False
        self.rest_authorizers: dict[str, Any] = {}
        self.api_key = False
        self.cors: dict[str, Any] | None = None
        self.cors_methods: set[str] = set()  # methods of the http events with cors: the framework allows these
        self.cors_at: Path | None = None  # where the first http event's cors is written (the API's Cors points there)


_URL_CORS = {"allowedOrigins": "AllowOrigins", "allowedHeaders": "AllowHeaders", "allowedMethods": "AllowMethods",
             "allowCredentials": "AllowCredentials", "exposedResponseHeaders": "ExposeHeaders", "maxAge": "MaxAge"}
_READ_EVENTS = frozenset({"http", "httpApi", "sqs", "sns", "schedule", "stream", "s3", "eventBridge",
                          "cognitoUserPool", "alb"})


class _Service:
    """What the whole service shares while functions are rewritten: written resources and the marks out."""

    def __init__(self, data: Mapping[str, Any], marks: SourceMap) -> None:
        self.data = data
        self.marks = marks
        self.out: dict[Path, tuple[int, int]] = {(): (1, 1)}
        self.files: dict[Path, str] = {}  # marks in fragment files rather than serverless.yml
        self.resources: dict[str, Any] = {}
        extra = data.get("resources")
        written = extra.get("Resources") if isinstance(extra, Mapping) else None
        self.written: Mapping[str, Any] = written if isinstance(written, Mapping) else {}
        self.diags: list[tuple[str, str]] = []
        self.unread: list[_Problem] = []  # parts of the service not read

    def copy(self, src: Path, dst: Path) -> None:
        _copy_marks(self.marks, self.out, src, dst, self.files)

    def mark_at(self, src: Path | None, dst: Path, fallback: Path | None = None) -> None:
        """``dst`` marked where ``src`` is written (else where ``fallback`` is marked), in that node's file."""
        source = src if src is not None and (src in self.marks.marks or fallback is None) else None
        if source is not None:
            self.out[dst] = self.marks.marks.get(source, (1, 1))
            if source in self.marks.files:
                self.files[dst] = self.marks.files[source]
        else:
            assert fallback is not None
            self.out[dst] = self.out.get(fallback, (1, 1))
            if fallback in self.files:
                self.files[dst] = self.files[fallback]

    def mark(self, src: Path, dst: Path, fallback: Path | None = None) -> None:
        """``dst`` and what is under it marked as ``src`` and what is under it."""
        self.copy(src, dst)
        if dst not in self.out:
            self.mark_at(src, dst, fallback)

    def written_named(self, rtype: str, prop: str, name: Any) -> str | None:
        """The logical id of a ``resources:`` resource of ``rtype`` whose ``prop`` (or id) is ``name``."""
        for lid, res in self.written.items():
            if isinstance(res, Mapping) and res.get("Type") == rtype:
                props = res.get("Properties")
                if lid == name or (isinstance(props, Mapping) and props.get(prop) == name):
                    return str(lid)
        return None

    def role_ref(self, role: Any) -> Any:
        """``role:`` as the framework reads it: an ARN, a logical id in ``resources:``, an intrinsic, or a name."""
        if isinstance(role, str) and not role.startswith("arn:"):
            if role in self.written:
                return {"Fn::GetAtt": [role, "Arn"]}
            return {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{role}"}
        return role


def _permission(svc: _Service, lid: str, eid: str, principal: str, source: Any, src: Path) -> None:
    """A resource-based permission for a trigger SAM cannot express (an existing bucket or pool, an ALB)."""
    pid = f"{lid}{eid}Permission"
    props: dict[str, Any] = {"FunctionName": {"Ref": lid}, "Action": "lambda:InvokeFunction", "Principal": principal}
    if source is not None:
        props["SourceArn"] = source
    if principal == "s3.amazonaws.com":  # the framework pins S3 permissions to the deploying account
        props["SourceAccount"] = {"Ref": "AWS::AccountId"}
    svc.resources[pid] = {"Type": "AWS::Lambda::Permission", "Properties": props}
    svc.mark(src, ("Resources", pid))


def _s3_event(svc: _Service, spec: Any, lid: str, eid: str, src: Path) -> dict[str, Any] | None:
    bucket = spec.get("bucket") if isinstance(spec, Mapping) else spec
    if bucket is None:
        return None
    events = spec.get("event", "s3:ObjectCreated:*") if isinstance(spec, Mapping) else "s3:ObjectCreated:*"
    existing = isinstance(spec, Mapping) and spec.get("existing") is True
    written = bucket["Ref"] if isinstance(bucket, Mapping) and isinstance(bucket.get("Ref"), str) else \
        svc.written_named("AWS::S3::Bucket", "BucketName", bucket)
    if written is None and not existing and isinstance(bucket, str):
        written = "S3Bucket" + _logical(bucket).removesuffix("LambdaFunction")  # the bucket the framework creates
        svc.resources.setdefault(written, {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}})
        svc.mark(src, ("Resources", written))
    if written is None:  # a bucket made elsewhere: the framework only grants S3 the right to invoke
        arn = bucket if isinstance(bucket, Mapping) else {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket}"}
        _permission(svc, lid, eid, "s3.amazonaws.com", arn, src)
        return None
    props: dict[str, Any] = {"Bucket": {"Ref": written}, "Events": events}
    rules = _s3_key_rules(spec.get("rules") if isinstance(spec, Mapping) else None)
    if rules:
        props["Filter"] = {"S3Key": {"Rules": rules}}
    return {"Type": "S3", "Properties": props}


def _s3_key_rules(rules: Any) -> list[dict[str, Any]]:
    """``rules: [{prefix: uploads/}, {suffix: .jpg}]`` as SAM's ``Filter.S3Key.Rules`` (``Name``/``Value``)."""
    out: list[dict[str, Any]] = []
    for rule in rules if isinstance(rules, list) else ():
        if isinstance(rule, Mapping):
            out.extend({"Name": name, "Value": value} for name, value in rule.items() if name in ("prefix", "suffix"))
    return out


def _cognito_event(svc: _Service, spec: Any, lid: str, eid: str, src: Path) -> dict[str, Any] | None:
    if not isinstance(spec, Mapping) or spec.get("pool") is None:
        return None
    pool, trigger = spec["pool"], spec.get("trigger", "PreSignUp")
    written = svc.written_named("AWS::Cognito::UserPool", "UserPoolName", pool)
    if written is None and spec.get("existing") is not True and isinstance(pool, str):
        written = "CognitoUserPool" + _logical(pool).removesuffix("LambdaFunction")
        svc.resources.setdefault(written, {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": pool}})
        svc.mark(src, ("Resources", written))
    if written is None:
        _permission(svc, lid, eid, "cognito-idp.amazonaws.com", None, src)
        return None
    return {"Type": "Cognito", "Properties": {"UserPool": {"Ref": written}, "Trigger": trigger}}


def _event(svc: _Service, kind: str, spec: Any, lid: str, eid: str, src: Path, apis: _Apis) -> dict[str, Any] | None:
    if kind == "http" and isinstance(spec, (str, Mapping)):
        path, method = "/", "ANY"
        if isinstance(spec, str):
            method, _, path = spec.partition(" ")
        else:
            path, method = str(spec.get("path", "/")), str(spec.get("method", "ANY"))
        prop: dict[str, Any] = {"Type": "Api", "Properties": {"Path": "/" + path.lstrip("/"), "Method": method.lower(),
                                                               "RestApiId": {"Ref": "ApiGatewayRestApi"}}}
        apis.rest = True
        auth = _rest_auth(spec, apis) if isinstance(spec, Mapping) else None
        if isinstance(spec, Mapping) and spec.get("cors") not in (None, False):
            apis.cors_methods.add(method.upper())
            if apis.cors is None:
                apis.cors = _rest_cors(spec["cors"])
                apis.cors_at = (*src, "http", "cors")
        if isinstance(spec, Mapping) and spec.get("private") is True:
            auth = {**(auth or {}), "ApiKeyRequired": True}
            apis.api_key = True
        if auth is not None:
            prop["Properties"]["Auth"] = auth
        return prop
    if kind == "httpApi" and isinstance(spec, (str, Mapping)):
        path, method = "/", "ANY"
        if isinstance(spec, str) and spec != "*":
            method, _, path = spec.partition(" ")
        elif isinstance(spec, Mapping):
            path, method = str(spec.get("path", "/")), str(spec.get("method", "ANY"))
        prop = {"Type": "HttpApi", "Properties": {"Path": "/" + path.lstrip("/"), "Method": method.upper(),
                                                  "ApiId": {"Ref": "HttpApi"}}}
        apis.http = True
        http_auth = _http_auth(spec) if isinstance(spec, Mapping) else None
        if http_auth is not None:
            prop["Properties"]["Auth"] = http_auth
        return prop
    if kind == "sqs":
        arn = spec.get("arn") if isinstance(spec, Mapping) else spec
        return {"Type": "SQS", "Properties": {"Queue": arn}} if arn is not None else None
    if kind == "sns" and isinstance(spec, (str, Mapping)):
        arn = spec.get("arn", spec.get("topicName")) if isinstance(spec, Mapping) else spec
        if isinstance(arn, str) and not arn.startswith("arn:"):
            arn = {"Fn::Sub": f"arn:${{AWS::Partition}}:sns:${{AWS::Region}}:${{AWS::AccountId}}:{arn}"}
        return {"Type": "SNS", "Properties": {"Topic": arn}}
    if kind == "schedule":
        rate = spec.get("rate") if isinstance(spec, Mapping) else spec
        if isinstance(rate, list):
            rate = rate[0] if rate else None
        return {"Type": "Schedule", "Properties": {"Schedule": rate}} if rate is not None else None
    if kind == "eventBridge" and isinstance(spec, Mapping):
        if spec.get("schedule") is not None:
            return {"Type": "Schedule", "Properties": {"Schedule": spec["schedule"]}}
        props: dict[str, Any] = {"Pattern": spec.get("pattern") or {}}
        if spec.get("eventBus") is not None:
            props["EventBusName"] = spec["eventBus"]
        return {"Type": "EventBridgeRule", "Properties": props}
    if kind == "stream":
        arn = spec.get("arn") if isinstance(spec, Mapping) else spec
        stype = str(spec.get("type", "")) if isinstance(spec, Mapping) else ""
        kinesis = stype == "kinesis" or (not stype and isinstance(arn, str) and ":kinesis:" in arn)
        start = spec.get("startingPosition", "LATEST") if isinstance(spec, Mapping) else "LATEST"
        return {"Type": "Kinesis" if kinesis else "DynamoDB", "Properties": {"Stream": arn, "StartingPosition": start}}
    if kind == "s3":
        return _s3_event(svc, spec, lid, eid, src)
    if kind == "cognitoUserPool":
        return _cognito_event(svc, spec, lid, eid, src)
    if kind == "alb" and isinstance(spec, Mapping):
        _permission(svc, lid, eid, "elasticloadbalancing.amazonaws.com", None, src)
    return None


def _events(svc: _Service, fn: Mapping[str, Any], name: str, lid: str, props: dict[str, Any], apis: _Apis) -> None:
    events: dict[str, Any] = {}
    raw = fn.get("events")
    if not isinstance(raw, list):
        return
    for i, ev in enumerate(raw):
        if not isinstance(ev, Mapping) or not ev:
            continue
        kind, spec = next(iter(ev.items()))
        eid = f"{str(kind)[:1].upper()}{str(kind)[1:]}{i}"
        src: Path = ("functions", name, "events", i)
        prop = _event(svc, str(kind), spec, lid, eid, src, apis)
        if prop is not None:
            events[eid] = prop
            svc.mark(src, ("Resources", lid, "Properties", "Events", eid))
        elif kind not in _READ_EVENTS:
            svc.diags.append((f"functions.{name}.events[{i}]", f"event type {kind!r} is not read"))
    if events:
        props["Events"] = events


def _rest_cors(cors: Any) -> dict[str, Any]:
    """``cors:`` on an http event as SAM's API ``Cors`` (the framework's defaults for ``cors: true``)."""
    if not isinstance(cors, Mapping):  # AllowMethods: the methods of the events with cors, added when built
        return {"AllowOrigin": "'*'", "AllowHeaders": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'"}
    origins = cors.get("origins", cors.get("origin", "*"))
    origin = ",".join(str(o) for o in origins) if isinstance(origins, list) else str(origins)
    out: dict[str, Any] = {"AllowOrigin": f"'{origin}'"}
    if isinstance(cors.get("methods"), list):
        out["AllowMethods"] = "'" + ",".join(str(m) for m in cors["methods"]) + "'"
    if cors.get("allowCredentials") is True:
        out["AllowCredentials"] = True
    return out


def _url(url: Any) -> dict[str, Any]:
    auth = "AWS_IAM" if isinstance(url, Mapping) and url.get("authorizer") == "aws_iam" else "NONE"
    config: dict[str, Any] = {"AuthType": auth}
    cors = url.get("cors") if isinstance(url, Mapping) else None
    if cors is True:  # the framework's defaults for `cors: true`
        config["Cors"] = {"AllowOrigins": ["*"], "AllowMethods": ["*"],
                          "AllowHeaders": ["Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key",
                                           "X-Amz-Security-Token"]}
    elif isinstance(cors, Mapping):
        config["Cors"] = {dst: cors[src] for src, dst in _URL_CORS.items() if cors.get(src) is not None}
    return config


def _code(fn: Mapping[str, Any], provider_package: Any, handler: str, props: dict[str, Any]) -> None:
    """Where the code is: the handler's directory, or a prebuilt ``package.artifact``."""
    directory, _, module = handler.rpartition("/")
    props["Handler"] = module
    artifact = None
    for package in (fn.get("package"), provider_package):
        if isinstance(package, Mapping) and isinstance(package.get("artifact"), str):
            artifact = package["artifact"]
            break
    props["CodeUri"] = artifact if artifact is not None else (directory or ".")


def _role(svc: _Service, provider: Mapping[str, Any]) -> tuple[Any, Any, Path, Any, Any]:
    """The provider's role: (existing role, statements, where they are written, managed policies, boundary)."""
    statements: Any = None
    st_path: Path = ()
    existing: Any = None
    managed: Any = None
    boundary: Any = None
    iam = provider.get("iam")
    if isinstance(iam, Mapping):
        role = iam.get("role")
        if isinstance(role, Mapping) and not _is_node(role):
            statements, st_path = role.get("statements"), ("provider", "iam", "role", "statements")
            managed = role.get("managedPolicies")
            boundary = role.get("permissionsBoundary") or role.get("permissionBoundary")
        elif role is not None:
            existing = svc.role_ref(role)
    if statements is None and isinstance(provider.get("iamRoleStatements"), list):
        statements, st_path = provider["iamRoleStatements"], ("provider", "iamRoleStatements")
    if managed is None:
        managed = provider.get("iamManagedPolicies")
    if provider.get("role") is not None and existing is None:
        existing = svc.role_ref(provider.get("role"))
    return existing, statements, st_path, managed, boundary


def _function(svc: _Service, name: str, fn: Mapping[str, Any], provider: Mapping[str, Any], apis: _Apis) -> None:
    out = svc.out
    lid = _logical(name)
    base: Path = ("Resources", lid)
    svc.mark_at(("functions", name), base)
    props: dict[str, Any] = {}
    handler = fn.get("handler")
    if isinstance(handler, str):
        _code(fn, provider.get("package") or svc.data.get("package"), handler, props)
        for key in ("CodeUri", "Handler"):
            svc.mark_at(("functions", name, "handler"), (*base, "Properties", key), base)
    elif fn.get("image") is not None:
        props["PackageType"] = "Image"
        props["ImageUri"] = fn.get("image")
    elif handler is not None:
        props["Handler"] = handler
    for src_key, dst_key, default in (("runtime", "Runtime", provider.get("runtime", DEFAULT_RUNTIME)),
                                      ("memorySize", "MemorySize", provider.get("memorySize")),
                                      ("timeout", "Timeout", provider.get("timeout")),
                                      ("description", "Description", None),
                                      ("reservedConcurrency", "ReservedConcurrentExecutions", None),
                                      ("layers", "Layers", provider.get("layers"))):
        value = fn.get(src_key, default)
        if props.get("PackageType") == "Image" and dst_key in ("Runtime", "Layers"):
            continue  # an image carries its own runtime and layers
        if value is not None:
            props[dst_key] = value
            src = ("functions", name, src_key) if src_key in fn else ("provider", src_key)
            svc.mark(src, (*base, "Properties", dst_key), base)
    tracing = fn.get("tracing")
    provider_tracing = provider.get("tracing")
    if tracing is None and isinstance(provider_tracing, Mapping):
        tracing = provider_tracing.get("lambda")
    if tracing is not None:
        props["Tracing"] = "Active" if tracing is True or tracing == "Active" else "PassThrough"
    env: dict[str, Any] = {}
    for owner, src in ((provider, ("provider", "environment")), (fn, ("functions", name, "environment"))):
        if isinstance(owner.get("environment"), Mapping):
            env.update(owner["environment"])
            svc.copy(src, (*base, "Properties", "Environment", "Variables"))
    if env:
        props["Environment"] = {"Variables": env}
    existing, statements, st_path, managed, boundary = _role(svc, provider)
    fn_statements = fn.get("iamRoleStatements")
    if fn.get("role") is not None:
        props["Role"] = svc.role_ref(fn["role"])
        svc.mark(("functions", name, "role"), (*base, "Properties", "Role"), base)
    elif isinstance(fn_statements, list):  # serverless-iam-roles-per-function: replaces the provider's unless inherited
        own = list(fn_statements)
        if fn.get("iamRoleStatementsInherit") is True and isinstance(statements, list):
            own = [*statements, *own]
        props["Policies"] = [{"Version": "2012-10-17", "Statement": own}]
        svc.copy(("functions", name, "iamRoleStatements"),
                 (*base, "Properties", "Policies", 0, "Statement"))
        if fn.get("iamPermissionsBoundary") is not None:
            props["PermissionsBoundary"] = fn["iamPermissionsBoundary"]
    elif existing is not None:
        props["Role"] = existing
        svc.mark(("provider", "iam", "role") if isinstance(provider.get("iam"), Mapping) else ("provider", "role"),
                 (*base, "Properties", "Role"), base)
    else:
        policies: list[Any] = []
        if isinstance(statements, list) and statements:
            policies.append({"Version": "2012-10-17", "Statement": statements})
            svc.copy(st_path, (*base, "Properties", "Policies", 0, "Statement"))
        if isinstance(managed, list):
            policies.extend(managed)
        if policies:
            props["Policies"] = policies
        if boundary is not None:
            props["PermissionsBoundary"] = boundary
    url = fn.get("url")
    if url:
        props["FunctionUrlConfig"] = _url(url)
        svc.mark(("functions", name, "url"), (*base, "Properties", "FunctionUrlConfig"), base)
    _events(svc, fn, name, lid, props, apis)
    if (*base, "Properties") not in out:
        svc.mark_at(None, (*base, "Properties"), base)
    svc.resources[lid] = {"Type": "AWS::Serverless::Function", "Properties": props}


def _apis(svc: _Service, provider: Mapping[str, Any], apis: _Apis) -> None:
    marks, out = svc.marks, svc.out
    stage = provider.get("stage") if isinstance(provider.get("stage"), str) else DEFAULT_STAGE
    if apis.rest:
        rest: dict[str, Any] = {"StageName": stage}
        auth: dict[str, Any] = {}
        if apis.rest_authorizers:
            auth["Authorizers"] = apis.rest_authorizers
        gateway = provider.get("apiGateway")
        plan = gateway.get("usagePlan") if isinstance(gateway, Mapping) else None
        if apis.api_key or plan is not None:
            auth["UsagePlan"] = {"CreateUsagePlan": "PER_API"}
            throttle = plan.get("throttle") if isinstance(plan, Mapping) else None
            if isinstance(throttle, Mapping):
                auth["UsagePlan"]["Throttle"] = {dst: throttle[src] for src, dst in (("rateLimit", "RateLimit"),
                                                                                    ("burstLimit", "BurstLimit"))
                                                 if throttle.get(src) is not None}
        if apis.cors is not None:
            rest["Cors"] = apis.cors
            if "AllowMethods" not in apis.cors:  # OPTIONS and the methods the service's cors events declare
                every = "ANY" in apis.cors_methods
                methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] if every else sorted(apis.cors_methods)
                rest["Cors"] = {**apis.cors, "AllowMethods": "'" + ",".join(["OPTIONS", *methods]) + "'"}
        if auth:
            rest["Auth"] = auth
        tracing = provider.get("tracing")
        if isinstance(tracing, Mapping) and tracing.get("apiGateway") is not None:
            rest["TracingEnabled"] = tracing.get("apiGateway") is True
        svc.resources["ApiGatewayRestApi"] = {"Type": "AWS::Serverless::Api", "Properties": rest}
        out[("Resources", "ApiGatewayRestApi")] = marks.marks.get(("functions",), (1, 1))
        if apis.cors_at is not None and apis.cors_at in marks.marks:  # findings on the API's CORS: the author's line
            out[("Resources", "ApiGatewayRestApi", "Properties", "Cors")] = marks.marks[apis.cors_at]
    if apis.http:
        http: dict[str, Any] = {}
        written = provider.get("httpApi")
        authorizers: dict[str, Any] = {}
        if isinstance(written, Mapping) and isinstance(written.get("authorizers"), Mapping):
            for aname, spec in written["authorizers"].items():
                if not isinstance(spec, Mapping):
                    continue
                key = re.sub(r"[^A-Za-z0-9]", "", str(aname)) or "Authorizer"
                if spec.get("type") == "request" or spec.get("functionName") or spec.get("functionArn"):
                    authorizers[key] = {"FunctionArn": _fn_arn(spec.get("functionArn") or spec.get("functionName")),
                                        "AuthorizerPayloadFormatVersion": str(spec.get("payloadVersion", "2.0"))}
                else:
                    audience = spec.get("audience")
                    authorizers[key] = {"IdentitySource": spec.get("identitySource", "$request.header.Authorization"),
                                        "JwtConfiguration": {"issuer": spec.get("issuerUrl"),
                                                             "audience": audience if isinstance(audience, list)
                                                             else [audience]}}
        if authorizers:
            http["Auth"] = {"Authorizers": authorizers}
        svc.resources["HttpApi"] = {"Type": "AWS::Serverless::HttpApi", "Properties": http}
        fallback = marks.marks.get(("functions",), (1, 1))
        out[("Resources", "HttpApi")] = marks.marks.get(("provider", "httpApi"), fallback)


def to_sam(data: Mapping[str, Any], marks: SourceMap,
           unread: list[_Problem] | None = None) -> tuple[dict[str, Any], SourceMap, list[tuple[str, str]]]:
    """The SAM template the service amounts to, marks pointing into the serverless.yml, and the events not read;
    other parts not read are added to ``unread``."""
    svc = _Service(data, marks)
    if unread is not None:
        svc.unread = unread
    provider = data.get("provider") if isinstance(data.get("provider"), Mapping) else {}
    assert isinstance(provider, Mapping)
    functions = data.get("functions") if isinstance(data.get("functions"), Mapping) else {}
    assert isinstance(functions, Mapping)
    apis = _Apis()
    for name, fn in functions.items():
        if isinstance(fn, Mapping):
            _function(svc, str(name), fn, provider, apis)
    _apis(svc, provider, apis)
    resources = svc.resources
    for lid, res in svc.written.items():
        if lid not in resources:
            resources[lid] = res
            svc.copy(("resources", "Resources", lid), ("Resources", lid))
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": SAM_TRANSFORM,
                                "Resources": resources}
    extra = data.get("resources")
    if isinstance(extra, Mapping):
        for section in ("Outputs", "Conditions", "Parameters", "Mappings", "Metadata"):
            if isinstance(extra.get(section), Mapping):
                template[section] = extra[section]
                svc.copy(("resources", section), (section,))
        if isinstance(extra.get("extensions"), Mapping):
            _extensions(svc, extra["extensions"])
    svc.out[("Resources",)] = marks.marks.get(("functions",), (1, 1))
    return template, SourceMap(svc.out, svc.files), svc.diags


def _extensions(svc: _Service, extensions: Mapping[str, Any]) -> None:
    """``resources.extensions``: attributes merged into resources the service defines (``Properties`` key by
    key, as the framework does); one remit does not model (the framework's own role, log groups, deployment
    bucket) is named, not silently dropped."""
    for lid, patch in extensions.items():
        src: Path = ("resources", "extensions", lid)
        target = svc.resources.get(lid)
        if not isinstance(target, dict) or not isinstance(patch, Mapping):
            svc.unread.append(_Problem(f"resources.extensions.{lid}: extends a resource remit does not model (one "
                                       "the framework itself creates, or none); not applied",
                                       svc.marks.files.get(src), svc.marks.position(src).line))
            continue
        for key, value in patch.items():
            if key == "Properties" and isinstance(value, Mapping) and isinstance(target.get("Properties"), dict):
                for prop, pvalue in value.items():
                    target["Properties"][prop] = pvalue
                    svc.mark((*src, "Properties", prop), ("Resources", lid, "Properties", prop))
            else:
                target[key] = value
                svc.mark((*src, key), ("Resources", lid, key))


_ROLE_KEYS = frozenset({"statements", "managedPolicies", "permissionsBoundary", "permissionBoundary", "name", "path",
                        "tags"})
_IAM_KEYS = frozenset({"role", "deploymentRole"})


def _shapes(data: Mapping[str, Any], marks: SourceMap) -> list[_Problem]:
    """``provider.iam`` and ``functions`` written in a shape remit does not read: each is named."""
    found: list[_Problem] = []

    def note(path: Path, message: str) -> None:
        found.append(_Problem(message, marks.files.get(path), marks.position(path).line))

    provider = data.get("provider")
    if isinstance(provider, Mapping):
        iam = provider.get("iam")
        if iam is not None and (not isinstance(iam, Mapping) or UNKNOWN_KEY in iam):
            note(("provider", "iam"), f"provider.iam is {_kind(iam)}, not a mapping; the functions' permissions are "
                                      "not read")
        elif isinstance(iam, Mapping):
            for key in iam:
                if key not in _IAM_KEYS:
                    note(("provider", "iam", key), f"provider.iam.{key} is not read")
            role = iam.get("role")
            if isinstance(role, Mapping) and not _is_node(role):
                for key in role:
                    if key not in _ROLE_KEYS:
                        note(("provider", "iam", "role", key), f"provider.iam.role.{key} is not read")
                statements = role.get("statements")
                if statements is not None and not isinstance(statements, list):
                    note(("provider", "iam", "role", "statements"),
                         f"provider.iam.role.statements is {_kind(statements)}, not a list; not read")
        statements = provider.get("iamRoleStatements")
        if statements is not None and not isinstance(statements, list):
            note(("provider", "iamRoleStatements"), f"provider.iamRoleStatements is {_kind(statements)}, not a list; "
                                                    "not read")
    functions = data.get("functions")
    for name, fn in functions.items() if isinstance(functions, Mapping) else ():
        where: Path = ("functions", name)
        if not isinstance(fn, Mapping):
            note(where, f"functions.{name} is {_kind(fn)}, not a mapping; the function is not read")
            continue
        if fn.get("handler") is None and fn.get("image") is None:
            note(where, f"functions.{name} has neither handler nor image; its code is not known")
        statements = fn.get("iamRoleStatements")
        if statements is not None and not isinstance(statements, list):
            note((*where, "iamRoleStatements"), f"functions.{name}.iamRoleStatements is {_kind(statements)}, not a "
                                                "list; not read")
    return found


def _kind(value: Any) -> str:
    if isinstance(value, Mapping) and UNKNOWN_KEY in value:
        return f"unknown ({value[UNKNOWN_KEY]})"
    if _is_node(value):
        return "a value known only at deploy time"
    return f"a {type(value).__name__}"


def load_serverless(file: InputFile) -> LoadResult:
    """Read one serverless.yml into a SAM document marked at the author's lines."""
    text, problem = read_text(file)
    if text is None:
        return LoadResult(None, (problem,) if problem is not None else ())
    try:
        loaded = load_yaml(text)
    except LoadError as exc:
        return LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "parse-error", exc.message, exc.line),))
    data = loaded.data
    if not isinstance(data, Mapping) or not isinstance(data.get("functions", {}), (Mapping, list, str)):
        return LoadResult(None, (Diagnostic(file.rel, Level.WARNING, "not-a-service",
                                            "serverless.yml without a functions mapping"),))
    provider = data.get("provider")
    name = provider.get("name") if isinstance(provider, Mapping) else provider
    if isinstance(name, str) and name.lower() != "aws":
        return LoadResult(None, (Diagnostic(file.rel, Level.INFO, "not-aws",
                                            f"a service for provider {name!r}: not read"),))
    service_dir = file.path.resolve().parent
    root = _scan_root(file)
    resolver = _Resolver(data, service_dir, root)
    data, service_marks, unread = _fragments(data, loaded.marks, resolver)
    resolver.data = data
    resolved = resolver.value(data)
    unread += _shapes(resolved, service_marks)
    template, marks, skipped = to_sam(resolved, service_marks, unread)
    diags = [Diagnostic(file.rel, Level.INFO, "unresolved-variable", f"{var} is unknown: {why}")
             for var, why in sorted(resolver.unresolved.items())]
    diags.extend(Diagnostic(file.rel, Level.INFO, "unsupported-event", f"{where}: {why}") for where, why in skipped)
    diags.extend(Diagnostic(p.file or file.rel, Level.WARNING, "serverless-not-read", p.message, p.line)
                 for p in unread)
    return LoadResult(Document(file.rel, file.path, DocKind.SAM, template, marks,
                               tuple(dict.fromkeys(resolver.fragments))), tuple(diags))


def _scan_root(file: InputFile) -> FsPath:
    """The scanned root: the file's path with its root-relative name taken off."""
    depth = len([p for p in file.rel.split("/") if p])
    path = file.path.resolve()
    return path.parents[depth - 1] if 0 < depth <= len(path.parents) else path.parent
