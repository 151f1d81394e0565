"""boto3 calls in a Python module, from its syntax tree (nothing is imported or run).

A small abstract interpreter over the module: names are bound to what they hold when that is an SDK object
(the ``boto3`` module, a session, a client, a resource, a collection, a paginator, a waiter, a batch writer,
a bound method) or a string remit can name (a literal, an environment variable). Module-level bindings are
seen from every function; a function's own assignments, ``with ... as`` targets and ``self.x`` attributes
overlay them; a module-level function that returns an SDK object (``def client(): return boto3.client("s3")``)
is followed one level. Every call whose callee evaluates to an SDK method becomes an :class:`SdkCall`.

What stays unknown is explicit: a service or operation the code computes (``boto3.client(name)``,
``getattr(client, op)``) gives a :data:`~remit.code.sdk.required.DYNAMIC` call, and an argument the code
computes is :class:`~remit.model.values.Unknown`. A call on a receiver the module does not create (a client
passed in as a parameter) is attributed by its method name when the module creates a client of exactly one
service that has it, or when only one service has it; otherwise it is a DYNAMIC call, so the function's code
does not count as fully understood.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from remit.code.facts import Argument, EnvRef, SdkCall
from remit.code.python.modules import nodes, walk
from remit.code.sdk import index
from remit.code.sdk.required import DYNAMIC, NAMING, prefix_of
from remit.model.values import Unknown
from remit.source import SourceLocation

COMPUTED = Unknown("computed by the code")

_NAMING_BY_PREFIX: Mapping[str, frozenset[str]] = {
    prefix: frozenset(p for (pfx, _), params in NAMING.items() if pfx == prefix for p in params)
    for prefix in {pfx for pfx, _ in NAMING}
}

#: Request parameters kept on an SdkCall: every parameter that names a resource, plus what decides actions.
KEPT = frozenset(p for params in NAMING.values() for p in params) | {"Key", "IndexName", "CopySource"}

_LITERAL_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?([A-Za-z0-9_.-]{3,255})"?', re.IGNORECASE)
_TABLE_BEFORE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?$', re.IGNORECASE)
_COLLECTION_METHODS = {"all", "filter", "limit", "page_size", "pages"}
_CLIENT_LOCAL = {"get_paginator", "get_waiter", "can_paginate", "close", "generate_presigned_url",
                 "generate_presigned_post", "exceptions", "meta", "waiter_names"}

# ------------------------------------------------------------------------------------------------
# abstract values


@dataclass(frozen=True, slots=True)
class Boto3:
    """The boto3 module (or ``boto3.session``, or a name imported from it: ``client``, ``Session``)."""

    member: str = ""


@dataclass(frozen=True, slots=True)
class Session:
    pass


@dataclass(frozen=True, slots=True)
class Client:
    service: str  # DYNAMIC when the code computes it


@dataclass(frozen=True, slots=True)
class Res:
    """A boto3 resource: the service resource (``rtype`` "service") or a typed one with its identifiers."""

    service: str
    rtype: str
    ids: tuple[tuple[str, Argument], ...] = ()


@dataclass(frozen=True, slots=True)
class Coll:
    service: str
    rtype: str  # the type of the collection's items
    operation: str
    args: tuple[tuple[str, Argument], ...] = ()


@dataclass(frozen=True, slots=True)
class Paginator:
    service: str
    operation: str  # DYNAMIC when computed


@dataclass(frozen=True, slots=True)
class Waiter:
    service: str
    operation: str


@dataclass(frozen=True, slots=True)
class BatchWriter:
    pass


@dataclass(frozen=True, slots=True)
class Text:
    """A string: its value as an :data:`Argument` and the literal text it starts with (f-strings)."""

    value: Argument
    head: str = ""
    table: Argument | None = None  # the table a PartiQL statement names after FROM / INTO / UPDATE


@dataclass(frozen=True, slots=True)
class Method:
    owner: SdkValue
    name: str | None  # None when computed (getattr with a variable)


@dataclass(frozen=True, slots=True)
class Returns:
    """A function of the module that returns an SDK object."""

    value: SdkValue


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A name the module does not bind to anything remit follows (a parameter, an import from elsewhere)."""

    name: str


SdkValue = Boto3 | Session | Client | Res | Coll | Paginator | Waiter | BatchWriter
Value = SdkValue | Text | Method | Returns | Unresolved | None


# ------------------------------------------------------------------------------------------------


@dataclass
class _Env:
    names: dict[str, Value] = field(default_factory=dict)
    parent: _Env | None = None
    globals: set[str] = field(default_factory=set)  # names a function declares ``global``

    def get(self, name: str) -> Value:
        env: _Env | None = self
        while env is not None:
            if name in env.names:
                return env.names[name]
            env = env.parent
        return None


def _dotted(node: ast.expr) -> str | None:
    """``self.client`` / ``s3`` / ``a.b.c`` as text, for names and attribute chains on names."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class _Extractor:
    def __init__(self, tree: ast.Module, rel_path: str) -> None:
        self.tree = tree
        self.rel_path = rel_path
        self.module = _Env()
        self.os_names: set[str] = set()  # names bound to the os module
        self.environ_names: set[str] = set()  # names bound to os.environ
        self.getenv_names: set[str] = set()  # names bound to os.getenv
        self.calls: list[tuple[tuple[int, int, int, int], SdkCall]] = []  # (source span, call)
        self.created: set[str] = set()  # services the module makes clients / resources of

    # -- entry -----------------------------------------------------------------------------------
    def run(self) -> tuple[SdkCall, ...]:
        requests = self._imports(self.tree)
        if not self.module.names:
            # no boto3 here: only calls shaped like SDK requests on receivers passed in (a helper module)
            for request in requests:
                if isinstance(request.func, ast.Attribute):
                    self._record_unresolved(request, request.func.attr, self.module)
        else:
            self._bind_block(self.tree.body, self.module, top=True)
            self._bind_attributes()
            self._bind_returns()
            self._bind_block(self.tree.body, self.module, top=True)  # again: names used before their definition
            self._visit_block(self.tree.body, self.module)
        seen: set[SdkCall] = set()
        out: list[SdkCall] = []
        for _, call in sorted(self.calls, key=lambda pair: pair[0]):  # source order; inner calls first
            if call not in seen:
                seen.add(call)
                out.append(call)
        return tuple(out)

    # -- imports ---------------------------------------------------------------------------------
    def _imports(self, tree: ast.Module) -> list[ast.Call]:
        """Record what the module imports (one walk), and return the calls shaped like SDK requests
        (``x.method(Name=...)``: keyword arguments only, all capitalised)."""
        requests: list[ast.Call] = []
        for node in walk(tree):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Attribute) and node.keywords and all(
                        kw.arg is not None and kw.arg[:1].isupper() for kw in node.keywords):
                    requests.append(node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in ("boto3", "boto3.session", "aioboto3"):
                        if alias.asname:
                            self.module.names[alias.asname] = Boto3("session" if alias.name == "boto3.session" else "")
                        else:
                            self.module.names[alias.name.split(".")[0]] = Boto3()
                    elif alias.name == "os":
                        self.os_names.add(alias.asname or "os")
            elif isinstance(node, ast.ImportFrom) and node.module in ("boto3", "boto3.session", "aioboto3"):
                for alias in node.names:
                    if alias.name in ("client", "resource", "Session", "session"):
                        self.module.names[alias.asname or alias.name] = Boto3(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module == "os":
                for alias in node.names:
                    if alias.name == "environ":
                        self.environ_names.add(alias.asname or "environ")
                    elif alias.name == "getenv":
                        self.getenv_names.add(alias.asname or "getenv")
        return requests

    # -- binding ---------------------------------------------------------------------------------
    def _bind_block(self, body: list[ast.stmt], env: _Env, *, top: bool = False) -> None:
        for stmt in body:
            self._bind_stmt(stmt, env, top=top)

    def _bind_stmt(self, stmt: ast.stmt, env: _Env, *, top: bool) -> None:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._assign(target, stmt.value, env)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._assign(stmt.target, stmt.value, env)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, item.context_expr, env)
            self._bind_block(stmt.body, env, top=top)
        elif isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            self._bind_block(stmt.body, env, top=top)
            self._bind_block(stmt.orelse, env, top=top)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            self._bind_block(stmt.body, env, top=top)
            for handler in stmt.handlers:
                self._bind_block(handler.body, env, top=top)
            self._bind_block(stmt.orelse, env, top=top)
            self._bind_block(stmt.finalbody, env, top=top)
        elif isinstance(stmt, ast.Global):
            env.globals.update(stmt.names)
        elif isinstance(stmt, ast.ClassDef) and top:
            # class attributes (client = boto3.client("s3") in the class body) reached as self.x / cls.x / C.x
            for member in stmt.body:
                if isinstance(member, ast.Assign) and len(member.targets) == 1 \
                        and isinstance(member.targets[0], ast.Name):
                    value = self._eval(member.value, env)
                    if _is_sdk(value):
                        for owner in ("self", "cls", stmt.name):
                            self.module.names[f"{owner}.{member.targets[0].id}"] = value

    def _assign(self, target: ast.expr, value: ast.expr, env: _Env) -> None:
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                self._assign(t, v, env)
            return
        name = _dotted(target)
        if name is None:
            return
        evaluated = self._eval(value, env)
        if name in env.globals and env is not self.module:
            env = self.module  # global x; x = boto3.client(...): the lazy-initialisation idiom
        if name.startswith(("self.", "cls.")) and _is_sdk(evaluated):
            self.module.names[name] = evaluated  # attributes are shared by every method of the class
        if _is_sdk(env.names.get(name)) and not _is_sdk(evaluated):
            return  # x = None, then x = boto3.client(...) somewhere: what x may be is the client
        env.names[name] = evaluated

    def _bind_attributes(self) -> None:
        """``self.x = boto3.client(...)`` anywhere (``__init__``, a setup method): seen from every method."""
        for node in walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                local = _Env(parent=self.module)
                self._bind_block(node.body, local)

    def _bind_returns(self) -> None:
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                local = _Env(parent=self.module)
                self._bind_block(stmt.body, local)
                for node in nodes(stmt):
                    if isinstance(node, ast.Return) and node.value is not None:
                        value = self._eval(node.value, local)
                        if isinstance(value, (Client, Res, Session)):
                            self.module.names[stmt.name] = Returns(value)
                            break

    # -- evaluation ------------------------------------------------------------------------------
    def _eval(self, node: ast.expr, env: _Env) -> Value:
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, str):
                return None
            named = _LITERAL_TABLE.search(node.value)
            return Text(node.value, table=named.group(1) if named else None)
        if isinstance(node, ast.JoinedStr):
            head = node.values[0].value if node.values and isinstance(node.values[0], ast.Constant) else ""
            return Text(COMPUTED, str(head), self._fstring_table(node, env))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            left = self._eval(node.left, env)
            if isinstance(left, Text):
                head = left.value if isinstance(left.value, str) else left.head
                return Text(COMPUTED, head)
            return None
        if isinstance(node, ast.Name):
            found = env.get(node.id)
            return found if found is not None else Unresolved(node.id)
        env_name = self._env_var(node, env)
        if env_name is not None:
            return Text(env_name)
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted is not None:
                found = env.get(dotted)
                if found is not None:
                    return found
            owner = self._eval(node.value, env)
            return self._attribute(owner, node.attr)
        if isinstance(node, ast.Call):
            return self._result(node, env)
        if isinstance(node, ast.Await):
            return self._eval(node.value, env)
        return None

    def _fstring_table(self, node: ast.JoinedStr, env: _Env) -> Argument | None:
        """``f'SELECT * FROM "{os.environ["TABLE"]}" ...'`` -> EnvRef("TABLE")."""
        for before, part in itertools.pairwise(node.values):
            if isinstance(before, ast.Constant) and isinstance(before.value, str) \
                    and _TABLE_BEFORE.search(before.value) and isinstance(part, ast.FormattedValue):
                return self._argument(part.value, env)
        return None

    def _env_var(self, node: ast.expr, env: _Env) -> EnvRef | Unknown | None:
        """``os.environ["X"]``, ``os.environ.get("X")``, ``os.getenv("X")`` -> EnvRef("X")."""
        del env
        if isinstance(node, ast.Subscript) and self._is_environ(node.value):
            key = node.slice
            return EnvRef(key.value) if isinstance(key, ast.Constant) and isinstance(key.value, str) else COMPUTED
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            is_get = isinstance(func, ast.Attribute) and func.attr == "get" and self._is_environ(func.value)
            is_getenv = (isinstance(func, ast.Attribute) and func.attr == "getenv"
                         and isinstance(func.value, ast.Name) and func.value.id in self.os_names) or (
                isinstance(func, ast.Name) and func.id in self.getenv_names)
            if is_get or is_getenv:
                key = node.args[0]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return EnvRef(key.value)
                return COMPUTED
        return None

    def _is_environ(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.environ_names
        return (isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name)
                and node.value.id in self.os_names)

    def _attribute(self, owner: Value, attr: str) -> Value:
        if isinstance(owner, Boto3):
            if owner.member == "" and attr == "session":
                return Boto3("session")
            if attr in ("client", "resource", "Session"):
                return Boto3(attr)
            return None
        if isinstance(owner, (Session, Client, Paginator, Waiter, BatchWriter)):
            return Method(owner, attr)
        if isinstance(owner, Res):
            if owner.rtype == "meta":
                return Client(owner.service) if attr == "client" else None
            if attr == "meta":
                return Res(owner.service, "meta", owner.ids)
            model = _rtype(owner.service, owner.rtype)
            many = model.get("many", {}).get(attr)
            if many is not None:
                rtype, operation, params = many
                return Coll(owner.service, rtype, operation, _fill(params, owner.ids))
            return Method(owner, attr)
        if isinstance(owner, Coll):
            return Method(owner, attr)
        if isinstance(owner, Unresolved):
            return Unresolved(f"{owner.name}.{attr}")
        return None

    def _result(self, call: ast.Call, env: _Env) -> Value:
        """What a call returns (no call is recorded here)."""
        env_value = self._env_var(call, env)
        if env_value is not None:
            return Text(env_value)
        func = self._eval(call.func, env)
        if isinstance(call.func, ast.Name) and call.func.id == "getattr" and len(call.args) >= 2:
            owner = self._eval(call.args[0], env)
            name = _literal(call.args[1])
            if isinstance(owner, (Client, Res, Coll, Paginator, Waiter, Session)):
                return Method(owner, name) if name is not None else Method(owner, None)
            return None
        if isinstance(func, Returns):
            return func.value
        if isinstance(func, Boto3):
            return self._boto3_call(func, call, env)
        if isinstance(func, Method):
            return self._method_result(func, call, env)
        return None

    def _boto3_call(self, func: Boto3, call: ast.Call, env: _Env) -> Value:
        if func.member in ("Session", "session"):
            return Session()
        if func.member in ("client", "resource"):
            return self._make(func.member, call, env)
        return None

    def _make(self, kind: str, call: ast.Call, env: _Env) -> Value:
        arg: ast.expr | None = call.args[0] if call.args else None
        for kw in call.keywords:
            if kw.arg == "service_name":
                arg = kw.value
        service = DYNAMIC
        if arg is not None:
            text = self._eval(arg, env)
            if isinstance(text, Text) and isinstance(text.value, str) and index.service(text.value) is not None:
                service = text.value
        if service != DYNAMIC:
            self.created.add(service)
        if kind == "client":
            return Client(service)
        return Res(service, "service")

    def _method_result(self, method: Method, call: ast.Call, env: _Env) -> Value:
        owner, name = method.owner, method.name
        if isinstance(owner, Session) and name in ("client", "resource"):
            return self._make(name, call, env)
        if isinstance(owner, Client) and name in ("get_paginator", "get_waiter") and call.args:
            op_name = _literal(call.args[0])
            if owner.service == DYNAMIC or op_name is None:
                return Paginator(owner.service, DYNAMIC) if name == "get_paginator" else Waiter(owner.service, DYNAMIC)
            if name == "get_paginator":
                return Paginator(owner.service, index.client_method(owner.service, op_name) or DYNAMIC)
            return Waiter(owner.service, index.waiter_operation(owner.service, op_name) or DYNAMIC)
        if isinstance(owner, Res) and name is not None:
            if owner.rtype == "meta":
                return None
            model = _rtype(owner.service, owner.rtype)
            sub = model.get("has", {}).get(name)
            if sub is not None:
                return Res(owner.service, sub[0], self._identifiers(sub[1], owner.ids, call, env))
            if name == "batch_writer":
                return BatchWriter()
        if isinstance(owner, Coll) and name in _COLLECTION_METHODS:
            return owner
        return None

    def _identifiers(self, spec: list[list[str]], parent: tuple[tuple[str, Argument], ...], call: ast.Call,
                     env: _Env) -> tuple[tuple[str, Argument], ...]:
        inputs = [self._argument(a, env) for a in call.args]
        keywords = {kw.arg: self._argument(kw.value, env) for kw in call.keywords if kw.arg}
        parents = dict(parent)
        out: list[tuple[str, Argument]] = []
        position = 0
        for entry in spec:
            target, source = entry[0], entry[1]
            if source == "input":
                # positional in order, or by keyword: boto3 names them after the identifiers in snake case
                value = inputs[position] if position < len(inputs) else keywords.get(index.snake(target), COMPUTED)
                position += 1
                out.append((target, value))
            elif source == "identifier":
                out.append((target, parents.get(entry[2], COMPUTED)))
            else:
                out.append((target, COMPUTED))
        return tuple(out)

    def _argument(self, node: ast.expr, env: _Env) -> Argument:
        value = self._eval(node, env)
        return value.value if isinstance(value, Text) else COMPUTED

    # -- visiting calls --------------------------------------------------------------------------
    def _visit_block(self, body: list[ast.stmt], env: _Env) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                local = _Env(parent=env)
                self._bind_block(stmt.body, local)
                for deco in stmt.decorator_list:
                    self._visit_expr(deco, env)
                self._visit_block(stmt.body, local)
            elif isinstance(stmt, ast.ClassDef):
                self._visit_block(stmt.body, env)
            else:
                for child in ast.iter_child_nodes(stmt):
                    if isinstance(child, ast.stmt):
                        self._visit_block([child], env)
                    elif isinstance(child, ast.expr):
                        self._visit_expr(child, env)
                    elif isinstance(child, (ast.excepthandler, ast.withitem, ast.match_case)):
                        for sub in ast.iter_child_nodes(child):
                            if isinstance(sub, ast.stmt):
                                self._visit_block([sub], env)
                            elif isinstance(sub, ast.expr):
                                self._visit_expr(sub, env)

    def _visit_expr(self, node: ast.expr, env: _Env) -> None:
        for sub in nodes(node):
            if isinstance(sub, ast.Call):
                self._record(sub, env)

    def _record(self, call: ast.Call, env: _Env) -> None:
        func: Value
        if isinstance(call.func, ast.Name) and call.func.id == "getattr":
            return  # getattr(x, name) itself is not a request; calling what it returns is
        func = self._eval(call.func, env)
        if isinstance(func, Unresolved) and isinstance(call.func, ast.Attribute):
            self._record_unresolved(call, call.func.attr, env)
            return
        if not isinstance(func, Method):
            return
        found = self._request(func, call, env)
        if found is None:
            return
        service, operation, args = found
        self._add(call, SdkCall(service, operation, _shown(call.func), self._at(call), args))

    def _request(self, method: Method, call: ast.Call, env: _Env) -> tuple[str, str, tuple[tuple[str, Argument], ...]] \
            | None:
        owner, name = method.owner, method.name
        keywords = self._keywords(call, env)
        if isinstance(owner, Client):
            if owner.service == DYNAMIC:
                if name in _CLIENT_LOCAL:
                    return None
                return DYNAMIC, DYNAMIC, keywords
            if name is None:
                return owner.service, DYNAMIC, keywords
            if name == "generate_presigned_url":
                return self._presigned(owner.service, call, env)
            operation = index.client_method(owner.service, name)
            if operation is not None:
                return owner.service, operation, keywords
            helper = index.helper(owner.service, "client", name)
            if helper is not None:
                return owner.service, helper[0], self._positional(helper[1], call, env, keywords)
            return None
        if isinstance(owner, Paginator) and name == "paginate":
            return owner.service, owner.operation, keywords
        if isinstance(owner, Waiter) and name == "wait":
            return owner.service, owner.operation, keywords
        if isinstance(owner, Res):
            return self._resource_request(owner, name, call, env, keywords)
        if isinstance(owner, Coll):
            if name in _COLLECTION_METHODS:
                return owner.service, owner.operation, _merge(owner.args, keywords)
            batch = _rtype(owner.service, owner.rtype).get("batch", {}).get(name or "")
            if batch is not None:
                return owner.service, batch, owner.args
        return None

    def _resource_request(self, owner: Res, name: str | None, call: ast.Call, env: _Env,
                          keywords: tuple[tuple[str, Argument], ...]) \
            -> tuple[str, str, tuple[tuple[str, Argument], ...]] | None:
        if owner.service == DYNAMIC:
            return DYNAMIC, DYNAMIC, keywords
        if name is None:
            return owner.service, DYNAMIC, keywords
        if owner.rtype == "meta":
            return None
        helper = index.helper(owner.service, owner.rtype, name)
        if helper is not None:
            operation, positional = helper
            args = self._positional(positional, call, env, keywords)
            return owner.service, operation, _merge(_params_from_ids(owner), args)
        action = _rtype(owner.service, owner.rtype).get("actions", {}).get(name)
        if action is not None:
            operation, params = action
            return owner.service, operation, _merge(_fill(params, owner.ids), keywords)
        return None

    def _presigned(self, service: str, call: ast.Call, env: _Env) \
            -> tuple[str, str, tuple[tuple[str, Argument], ...]] | None:
        method_node: ast.expr | None = call.args[0] if call.args else None
        params_node: ast.expr | None = call.args[1] if len(call.args) > 1 else None
        for kw in call.keywords:
            if kw.arg == "ClientMethod":
                method_node = kw.value
            elif kw.arg == "Params":
                params_node = kw.value
        name = _literal(method_node) if method_node is not None else None
        operation = index.client_method(service, name) if name else None
        args: tuple[tuple[str, Argument], ...] = ()
        if isinstance(params_node, ast.Dict):
            pairs = [(k.value, v) for k, v in zip(params_node.keys, params_node.values, strict=True)
                     if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            args = self._kept(pairs, env)
        return service, operation or DYNAMIC, args

    def _positional(self, names: tuple[str, ...], call: ast.Call, env: _Env,
                    keywords: tuple[tuple[str, Argument], ...]) -> tuple[tuple[str, Argument], ...]:
        pairs = list(zip(names, call.args, strict=False))
        return _merge(self._kept(pairs, env), keywords)

    def _keywords(self, call: ast.Call, env: _Env) -> tuple[tuple[str, Argument], ...]:
        return self._kept([(kw.arg, kw.value) for kw in call.keywords if kw.arg], env)

    def _kept(self, pairs: list[tuple[str, ast.expr]], env: _Env) -> tuple[tuple[str, Argument], ...]:
        out: list[tuple[str, Argument]] = []
        for name, node in pairs:
            if name in ("Statement", "Statements"):
                verbs = self._verbs(node, env)
                if verbs:
                    out.append(("Statement#verb", ",".join(verbs)))
                table = self._statement_table(node, env)
                if table is not None:
                    out.append(("TableName", table))
                continue
            if name == "TransactItems":
                out.extend(self._transact(node, env))
                continue
            if name == "RequestItems" and isinstance(node, ast.Dict) and len(node.keys) == 1 \
                    and node.keys[0] is not None:
                out.append(("TableName", self._argument(node.keys[0], env)))
                continue
            if name == "Entries":
                out.append(("Entries", COMPUTED))
                out.extend(self._entries(node, env))
                continue
            if name == "CopySource":
                out.extend(self._copy_source(node, env))
                continue
            if name in KEPT:
                out.append((name, self._argument(node, env)))
        return tuple(out)

    def _verbs(self, node: ast.expr, env: _Env) -> list[str]:
        nodes = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        verbs: list[str] = []
        for item in nodes:
            if isinstance(item, ast.Dict):  # BatchExecuteStatement: [{"Statement": "..."}]
                for k, v in zip(item.keys, item.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value == "Statement":
                        verbs.extend(self._verbs(v, env))
                continue
            value = self._eval(item, env)
            if isinstance(item, ast.Name):
                value = self._statement_text(item.id, env) or value
            if isinstance(value, Text):
                text = value.value if isinstance(value.value, str) else value.head
                word = re.match(r"\s*([A-Za-z]+)", text)
                if word and word.group(1).upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "EXISTS"):
                    verbs.append("SELECT" if word.group(1).upper() == "EXISTS" else word.group(1).upper())
                    continue
            return []  # one statement not known: the verbs are not known
        return list(dict.fromkeys(verbs))

    def _statement_table(self, node: ast.expr, env: _Env) -> Argument | None:
        if isinstance(node, (ast.List, ast.Tuple)):
            return None
        value = self._eval(node, env)
        return value.table if isinstance(value, Text) else None

    def _statement_text(self, name: str, env: _Env) -> Text | None:
        found = env.get(name)
        return found if isinstance(found, Text) else None

    def _transact(self, node: ast.expr, env: _Env) -> list[tuple[str, Argument]]:
        if not isinstance(node, (ast.List, ast.Tuple)):
            return []
        kinds: list[str] = []
        tables: list[Argument] = []
        for item in node.elts:
            if not isinstance(item, ast.Dict) or len(item.keys) != 1:
                return []
            key = item.keys[0]
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return []
            kinds.append(key.value)
            inner = item.values[0]
            if isinstance(inner, ast.Dict):
                for k, v in zip(inner.keys, inner.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value == "TableName":
                        tables.append(self._argument(v, env))
        out: list[tuple[str, Argument]] = [("TransactItems#kinds", ",".join(dict.fromkeys(kinds)))]
        if tables and all(t == tables[0] for t in tables) and len(tables) == len(node.elts):
            out.append(("TableName", tables[0]))
        return out

    def _entries(self, node: ast.expr, env: _Env) -> list[tuple[str, Argument]]:
        if not isinstance(node, (ast.List, ast.Tuple)) or not node.elts:
            return []
        buses: list[Argument] = []
        for item in node.elts:
            if not isinstance(item, ast.Dict):
                return []
            bus: Argument = "default"
            for k, v in zip(item.keys, item.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == "EventBusName":
                    bus = self._argument(v, env)
            buses.append(bus)
        return [("EventBusName", buses[0])] if all(b == buses[0] for b in buses) else []

    def _copy_source(self, node: ast.expr, env: _Env) -> list[tuple[str, Argument]]:
        if isinstance(node, ast.Dict):
            out: list[tuple[str, Argument]] = []
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value in ("Bucket", "Key"):
                    out.append((f"CopySource.{k.value}", self._argument(v, env)))
            return out
        value = self._argument(node, env)
        if isinstance(value, str) and "/" in value:
            bucket, _, key = value.lstrip("/").partition("/")
            return [("CopySource.Bucket", bucket), ("CopySource.Key", key)]
        return []

    def _record_unresolved(self, call: ast.Call, name: str, env: _Env) -> None:
        """``x.get_object(Bucket=...)`` on a receiver the module does not create (a parameter, an import)."""
        keywords = [kw.arg for kw in call.keywords]
        if not keywords or any(k is None or not k[:1].isupper() for k in keywords):
            return  # not shaped like an SDK request
        candidates = _services_with(name)
        if not candidates:
            return
        made = [s for s in candidates if s in self.created]
        # the parameters that name resources tell services apart: Bucket / Key -> s3, TableName -> dynamodb
        named = [s for s in candidates
                 if any(k in _NAMING_BY_PREFIX.get(prefix_of(s), ()) for k in keywords if k is not None)]
        chosen = made[0] if len(made) == 1 else candidates[0] if len(candidates) == 1 else \
            named[0] if len(named) == 1 else None
        args = self._keywords(call, env)
        if chosen is None:
            self._add(call, SdkCall(DYNAMIC, DYNAMIC, _shown(call.func), self._at(call), args))
            return
        operation = index.client_method(chosen, name)
        if operation is not None:
            self._add(call, SdkCall(chosen, operation, _shown(call.func), self._at(call), args))

    def _add(self, node: ast.Call, found: SdkCall) -> None:
        span = (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)
        self.calls.append((span, found))

    def _at(self, node: ast.expr) -> SourceLocation:
        return SourceLocation(self.rel_path, node.lineno, node.col_offset + 1)


def _is_sdk(value: Value) -> bool:
    return isinstance(value, (Boto3, Session, Client, Res, Coll, Paginator, Waiter, BatchWriter, Returns))


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _shown(node: ast.expr) -> str:
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - unparse of a tree ast.parse made
        return "<call>"
    return text if len(text) <= 80 else text[:77] + "..."


def _rtype(service: str, rtype: str) -> Mapping[str, Any]:
    model = index.resource_model(service) or {}
    found = model.get(rtype)
    return found if isinstance(found, dict) else {}


def _fill(params: Mapping[str, str], ids: tuple[tuple[str, Argument], ...]) -> tuple[tuple[str, Argument], ...]:
    values = dict(ids)
    return tuple((param, values.get(ident, COMPUTED)) for param, ident in params.items() if param in KEPT)


_ID_PARAMS = {("s3", "Name"): "Bucket", ("s3", "BucketName"): "Bucket", ("s3", "Key"): "Key",
              ("dynamodb", "Name"): "TableName"}


def _params_from_ids(owner: Res) -> tuple[tuple[str, Argument], ...]:
    return tuple((_ID_PARAMS[(owner.service, ident)], value) for ident, value in owner.ids
                 if (owner.service, ident) in _ID_PARAMS)


def _merge(first: tuple[tuple[str, Argument], ...], second: tuple[tuple[str, Argument], ...]) \
        -> tuple[tuple[str, Argument], ...]:
    names = {name for name, _ in second}
    return tuple(p for p in first if p[0] not in names) + second


@cache
def _services_with(method: str) -> tuple[str, ...]:
    """Every service with a boto3 client method of this name (the reverse index is built on first use)."""
    folded = method.replace("_", "").lower()
    return tuple(s for s in _reverse().get(folded, ()) if index.client_method(s, method) is not None)


@cache
def _reverse() -> Mapping[str, tuple[str, ...]]:
    """Operation name lower-cased -> services (a boto3 name without its underscores folds to it)."""
    out: dict[str, list[str]] = {}
    for name, entry in index.data()["services"].items():
        for op in entry["ops"]:
            out.setdefault(op.lower(), []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def extract(tree: ast.Module, rel_path: str) -> tuple[SdkCall, ...]:
    try:
        return _Extractor(tree, rel_path).run()
    except Exception:  # noqa: BLE001 - deep or odd code must not stop the scan; it counts as not understood
        # one call the least-privilege analysis cannot name: the module is not fully understood
        return (SdkCall(DYNAMIC, DYNAMIC, "<module not analysed>", SourceLocation(rel_path, 1)),)
