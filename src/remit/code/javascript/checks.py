"""Per-file findings in JavaScript / TypeScript that need no taint: secrets, unverified JWTs, AWS SDK calls.

Each runs once per file (the analyzer caches the results) over the tree the front end parsed.

* Secrets reuse :mod:`remit.secretscan`: a string held under a secret-like name (a declaration, an
  assignment, an object key, a comparison) is classified by name and format; any other string only by
  format. Nothing reported carries the secret itself.
* JWTs: ``jsonwebtoken.decode`` (never verifies) in a file that never calls ``verify``, ``jwt-decode``,
  ``jose.decodeJwt`` likewise, ``verify`` accepting the ``none`` algorithm, and a token's payload decoded by
  hand (``Buffer.from(token.split(".")[1], "base64")``, ``atob(...)``).
* SDK calls: v2 (``new AWS.S3().getObject``, ``AWS.DynamoDB.DocumentClient`` methods, ``aws-sdk/clients/*``),
  v3 commands (``new GetObjectCommand({...})``, lib-dynamodb ``PutCommand``), aggregated v3 clients
  (``new S3().getObject``), paginators; service and operation from :mod:`remit.code.sdk`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from remit import secretscan
from remit.code.facts import Argument, CodeIssue, EnvRef, IssueKind, SdkCall
from remit.code.javascript import catalog as cat
from remit.code.javascript.parse import JsModule, normal_module, string_value, unwrap, walk
from remit.model.values import Unknown

if TYPE_CHECKING:
    from tree_sitter import Node

COMPUTED = Unknown("computed by the code")
_CLIENT_SKIP = frozenset({"send", "destroy", "middlewareStack", "config", "promise", "on", "makeRequest",
                          "createPresignedPost", "getSignedUrl", "getSignedUrlPromise", "waitFor"})
_ENV = re.compile(r"^process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])$")


# ------------------------------------------------------------------------------------------------
# secrets


def secrets(mod: JsModule) -> Iterator[CodeIssue]:
    seen: set[tuple[int, int]] = set()
    for node in walk(mod.root):
        name_node: Node | None = None
        value_node: Node | None = None
        if node.type == "variable_declarator":
            name_node, value_node = node.child_by_field_name("name"), node.child_by_field_name("value")
        elif node.type == "assignment_expression":
            name_node, value_node = node.child_by_field_name("left"), node.child_by_field_name("right")
        elif node.type == "pair":
            name_node, value_node = node.child_by_field_name("key"), node.child_by_field_name("value")
        elif node.type == "binary_expression":
            name_node, value_node = node.child_by_field_name("left"), node.child_by_field_name("right")
        if name_node is None or value_node is None:
            continue
        value = string_value(value_node)
        if value is None:
            continue
        name = _name(mod, name_node)
        if not name:
            continue
        inner = unwrap(value_node) or value_node
        seen.add((inner.start_byte, inner.end_byte))
        found = secretscan.classify(name, value)
        if found is not None:
            yield _issue(mod, inner, found, name)
    covered = -1  # the end of the last literal scanned: literals nested in it were scanned with it, once
    for node in walk(mod.root):
        if node.type not in ("string", "template_string") or (node.start_byte, node.end_byte) in seen \
                or node.start_byte < covered:
            continue
        text, covered = mod.text(node), node.end_byte
        if len(text) < 16:
            continue
        for start, _, match in secretscan.find_in_text(text):
            line = text.count("\n", 0, start)
            loc = mod.loc(node)
            if line:
                loc = type(loc)(loc.path, loc.line + line, 1)
            yield CodeIssue(IssueKind.SECRET, loc, f"A {match.kind} ({match.masked}) is written in the code: anyone "
                            f"who can read the package or the repository has it", evidence=f"{match.kind}|",
                            critical=match.critical)


def _name(mod: JsModule, node: Node) -> str:
    node = unwrap(node) or node
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return mod.text(prop) if prop is not None else ""
    if node.type in ("identifier", "property_identifier", "shorthand_property_identifier"):
        return mod.text(node)
    return string_value(node) or ""


def _issue(mod: JsModule, node: Node, match: secretscan.SecretMatch, name: str) -> CodeIssue:
    return CodeIssue(IssueKind.SECRET, mod.loc(node),
                     f"A {match.kind} ({match.masked}) is written in the code in {name}: anyone who can read the "
                     f"package or the repository has it", evidence=f"{match.kind}|{name}", critical=match.critical)


# ------------------------------------------------------------------------------------------------
# JSON Web Tokens


def _qualified(mod: JsModule, node: Node | None) -> str:
    """``jwt.decode`` -> ``jsonwebtoken.decode`` through the file's imports (no flow analysis)."""
    node = unwrap(node)
    if node is None:
        return ""
    if node.type == "identifier":
        ref = mod.imports.get(mod.text(node))
        if ref is None:
            return mod.text(node)
        base = normal_module(ref.module)
        return base if ref.name in (None, "default") else f"{base}.{ref.name}"
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        owner = _qualified(mod, node.child_by_field_name("object"))
        return f"{owner}.{mod.text(prop)}" if owner and prop is not None else ""
    return ""


def jwt(mod: JsModule) -> Iterator[CodeIssue]:
    if not (mod.packages & cat.JWT_MODULES) and b"split" not in mod.source:
        return
    calls = [n for n in walk(mod.root) if n.type == "call_expression"]
    splits = _token_splits(mod)
    verifies = any(_qualified(mod, c.child_by_field_name("function")).endswith(
        ("jsonwebtoken.verify", "jose.jwtVerify", "jws.verify", "njwt.verify", "jwt-simple.decode",
         "CognitoJwtVerifier.create", "aws-jwt-verify.CognitoJwtVerifier.create")) for c in calls)
    for call in calls:
        func = call.child_by_field_name("function")
        qual = _qualified(mod, func)
        args = call.child_by_field_name("arguments")
        arg_nodes = args.named_children if args is not None else []
        reason = ""
        if qual in cat.JWT_DECODERS and not verifies:
            reason = f"{qual} reads the token's claims without checking its signature, and nothing in " \
                     f"{mod.rel} verifies it"
        elif qual == "jsonwebtoken.verify" and len(arg_nodes) > 2 and \
                re.search(r"algorithms\s*:\s*\[[^\]]*['\"]none['\"]", mod.text(arg_nodes[2]), re.IGNORECASE):
            reason = 'jwt.verify accepts the "none" algorithm: an unsigned token passes'
        elif _base64_decoder(qual) and arg_nodes and _token_payload(mod, arg_nodes[0], splits):
            reason = "the token's payload is base64-decoded and used without checking its signature"
        if reason:
            yield CodeIssue(IssueKind.JWT_UNVERIFIED, mod.loc(call),
                            f"A JSON Web Token is trusted without verification: {reason}; anyone can forge its "
                            f"claims (user id, groups, roles)", evidence=reason.split(",")[0])


_FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition",
                        "function", "generator_function_declaration"})
_Scoped = dict[tuple[int, str], str]  # (scope start byte, name) -> "parts" | "payload"


def _base64_decoder(qual: str) -> bool:
    """``Buffer.from``, ``atob``, or a base64 helper of a library or the project (``base64url.decode``,
    ``decodeBase64Url``, ``b64decode``)."""
    lowered = qual.lower()
    return qual in ("Buffer.from", "atob") or ("decode" in lowered and ("b64" in lowered or "base64" in lowered))


def _scope(node: Node) -> int:
    parent = node.parent
    while parent is not None and parent.type not in _FUNCTIONS:
        parent = parent.parent
    return parent.start_byte if parent is not None else -1


def _dot_split(mod: JsModule, node: Node | None) -> bool:
    node = unwrap(node)
    if node is not None and node.type == "await_expression" and node.named_children:
        node = node.named_children[0]
    if node is None or node.type != "call_expression":
        return False
    func = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    return func is not None and func.type == "member_expression" and mod.text(func).endswith(".split") and \
        args is not None and bool(args.named_children) and string_value(args.named_children[0]) == "."


def _token_splits(mod: JsModule) -> _Scoped:
    """Names holding a token split on dots (``const parts = token.split(".")``) and names holding its middle
    segment (``const [, payload] = token.split(".")``, ``const payload = parts[1]``), per function."""
    out: _Scoped = {}
    declarators = [n for n in walk(mod.root) if n.type == "variable_declarator"]
    for node in declarators:
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is None or not _dot_split(mod, value):
            continue
        if name.type == "identifier":
            out[(_scope(node), mod.text(name))] = "parts"
        elif name.type == "array_pattern":
            elements = [c for c in name.children if c.type not in ("[", "]")]
            # `[, payload]` leaves the first slot empty: count commas before the second named element
            position = 0
            for child in elements:
                if child.type == ",":
                    position += 1
                elif position == 1 and child.type == "identifier":
                    out[(_scope(node), mod.text(child))] = "payload"
    for node in declarators:
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is not None and name.type == "identifier" and value is not None and \
                _middle_of(mod, value, out, _scope(node)):
            out[(_scope(node), mod.text(name))] = "payload"
    return out


def _middle_of(mod: JsModule, node: Node, splits: _Scoped, scope: int) -> bool:
    """``token.split(".")[1]`` or ``parts[1]`` for a name holding such a split."""
    node = unwrap(node) or node
    if node.type != "subscript_expression":
        return False
    index = node.child_by_field_name("index")
    obj = unwrap(node.child_by_field_name("object"))
    if index is None or mod.text(index) != "1" or obj is None:
        return False
    return _dot_split(mod, obj) or (obj.type == "identifier" and splits.get((scope, mod.text(obj))) == "parts")


def _token_payload(mod: JsModule, node: Node, splits: _Scoped) -> bool:
    """A token's middle segment somewhere inside ``node``."""
    scope = _scope(node)
    for inner in walk(node):
        if inner.type == "subscript_expression" and _middle_of(mod, inner, splits, scope):
            return True
        if inner.type == "identifier" and splits.get((scope, mod.text(inner))) == "payload":
            return True
    return False


# ------------------------------------------------------------------------------------------------
# AWS SDK calls

Lookup = Callable[[str], str | None]
OperationLookup = Callable[[str, str], str | None]


class _Sdk:
    def __init__(self, mod: JsModule, js_service: Lookup, operation_for: OperationLookup) -> None:
        self.mod = mod
        self.js_service = js_service
        self.operation_for = operation_for
        self.values: dict[str, Node] = {}  # every `name = value` in the file (first one wins)
        self.clients: dict[str, str] = {}  # variable -> service
        self.calls: list[SdkCall] = []

    # what a name or constructor stands for
    def sdk_ref(self, node: Node | None) -> tuple[str, str] | None:
        """(package, exported name) for a name imported from the SDK (``@aws-sdk/client-s3``, ``aws-sdk``)."""
        node = unwrap(node)
        if node is None:
            return None
        mod = self.mod
        if node.type == "identifier":
            ref = mod.imports.get(mod.text(node))
            if ref is None or not (ref.module.startswith("@aws-sdk/") or ref.module.startswith("aws-sdk")):
                return None
            if ref.module.startswith("aws-sdk/clients/"):
                return ref.module, ref.module.rsplit("/", 1)[-1]
            return ref.module, ref.name or ""
        if node.type == "member_expression":
            owner = self.sdk_ref(node.child_by_field_name("object"))
            prop = node.child_by_field_name("property")
            if owner is None or prop is None:
                return None
            package, name = owner
            return package, f"{name}.{mod.text(prop)}" if name and name != "default" else mod.text(prop)
        return None

    def client_service(self, node: Node | None) -> str | None:
        """The service of a client made by ``node`` (``new S3Client()``, ``new AWS.S3()``,
        ``DynamoDBDocumentClient.from(...)``), or held by a variable."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            return self.clients.get(self.mod.text(node))
        if node.type == "new_expression":
            ref = self.sdk_ref(node.child_by_field_name("constructor"))
            if ref is None or ref[1].endswith("Command"):
                return None
            package, name = ref
            if package.startswith("aws-sdk/clients/"):
                return self.js_service(name)
            return self.js_service(name.removeprefix("AWS.")) or (self.js_service(package)
                                                                   if package.startswith("@aws-sdk/") else None)
        if node.type == "call_expression":
            func = node.child_by_field_name("function")
            if func is not None and func.type == "member_expression":
                prop = func.child_by_field_name("property")
                ref = self.sdk_ref(func.child_by_field_name("object"))
                if ref is not None and prop is not None and self.mod.text(prop) == "from":
                    return self.js_service(ref[1]) or self.js_service(ref[0])
        return None

    def argument(self, node: Node | None, depth: int = 0) -> Argument:
        node = unwrap(node)
        if node is None:
            return COMPUTED
        text = string_value(node)
        if text is not None:
            return text
        env = _ENV.match(self.mod.text(node).replace(" ", "").replace("?.", "."))
        if env is not None:
            return EnvRef(env.group(1) or env.group(2))
        if node.type == "identifier" and depth < 3 and self.mod.text(node) in self.values:
            return self.argument(self.values[self.mod.text(node)], depth + 1)
        if node.type == "binary_expression" and self.mod.text(node.child_by_field_name("operator") or node) in (
                "||", "??"):
            return self.argument(node.child_by_field_name("left"), depth + 1)
        return COMPUTED

    def arguments(self, node: Node | None, depth: int = 0) -> tuple[tuple[str, Argument], ...]:
        node = unwrap(node)
        if node is None:
            return ()
        if node.type == "identifier" and depth < 3 and self.mod.text(node) in self.values:
            return self.arguments(self.values[self.mod.text(node)], depth + 1)
        if node.type != "object":
            return ()
        out: list[tuple[str, Argument]] = []
        for prop in node.named_children:
            if prop.type == "pair":
                key = prop.child_by_field_name("key")
                name = None if key is None else (string_value(key) if key.type == "string" else self.mod.text(key))
                if name:
                    out.append((name, self.argument(prop.child_by_field_name("value"))))
            elif prop.type == "shorthand_property_identifier":
                out.append((self.mod.text(prop), self.argument(prop)))
        return tuple(out)

    def run(self) -> tuple[SdkCall, ...]:
        nodes = list(walk(self.mod.root))
        for node in nodes:
            if node.type == "variable_declarator":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and value is not None and name.type == "identifier":
                    self.values.setdefault(self.mod.text(name), value)
                    service = self.client_service(value)
                    if service is not None:
                        self.clients[self.mod.text(name)] = service
            elif node.type == "assignment_expression":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                service = self.client_service(right)
                if left is not None and service is not None:
                    self.clients[self.mod.text(left)] = service
        for node in nodes:
            if node.type == "new_expression":
                self.command(node)
            elif node.type == "call_expression":
                self.method_call(node)
        return tuple(self.calls)

    def command(self, node: Node) -> None:
        ref = self.sdk_ref(node.child_by_field_name("constructor"))
        if ref is None:
            return
        package, name = ref
        if not name.endswith("Command") and name not in ("Upload",):
            return
        service = self.js_service(package)
        if service is None:
            return
        operation = self.operation_for(service, name)
        if operation is None:
            return
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if name == "Upload" and first is not None:  # lib-storage: new Upload({client, params: {...}})
            params = next((p.child_by_field_name("value") for p in (unwrap(first) or first).named_children
                           if p.type == "pair" and self.mod.text(p.child_by_field_name("key") or p) == "params"),
                          None)
            first = params
        self.calls.append(SdkCall(service, operation, f"new {name}", self.mod.loc(node), self.arguments(first)))

    def method_call(self, node: Node) -> None:
        mod = self.mod
        func = unwrap(node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        arg_nodes = args.named_children if args is not None else []
        if func is None:
            return
        if func.type == "identifier":  # paginateListObjectsV2(config, input)
            ref = self.sdk_ref(func)
            if ref is None or not ref[1].startswith(("paginate", "waitUntil")):
                return
            service = self.js_service(ref[0])
            operation = self.operation_for(service, ref[1]) if service else None
            if service and operation:
                self.calls.append(SdkCall(service, operation, ref[1], mod.loc(node),
                                          self.arguments(arg_nodes[1] if len(arg_nodes) > 1 else None)))
            return
        if func.type == "subscript_expression":
            service = self.client_service(func.child_by_field_name("object"))
            if service is not None and string_value(func.child_by_field_name("index")) is None:
                from remit.code.sdk import DYNAMIC  # noqa: PLC0415 - the SDK seam loads only when needed

                self.calls.append(SdkCall(service, DYNAMIC, mod.text(func), mod.loc(node),
                                          self.arguments(arg_nodes[0] if arg_nodes else None)))
            return
        if func.type != "member_expression":
            return
        prop = func.child_by_field_name("property")
        method = mod.text(prop) if prop is not None else ""
        service = self.client_service(func.child_by_field_name("object"))
        if service is None:
            return
        if method in ("getSignedUrl", "getSignedUrlPromise") and arg_nodes:  # v2 presigned URL for an operation
            signed = string_value(arg_nodes[0])
            operation = self.operation_for(service, signed) if signed else None
            if operation is not None:
                self.calls.append(SdkCall(service, operation, f"{method}({signed!r})", mod.loc(node),
                                          self.arguments(arg_nodes[1] if len(arg_nodes) > 1 else None)))
            return
        if method in _CLIENT_SKIP:
            return
        operation = self.operation_for(service, method)
        if operation is None:
            return
        self.calls.append(SdkCall(service, operation, mod.text(func) if len(mod.text(func)) < 80 else method,
                                  mod.loc(node), self.arguments(arg_nodes[0] if arg_nodes else None)))


def sdk_calls(mod: JsModule, js_service: Lookup, operation_for: OperationLookup) -> tuple[SdkCall, ...]:
    if not any(s.startswith(("@aws-sdk/", "aws-sdk")) for s in mod.specifiers):
        return ()
    return _Sdk(mod, js_service, operation_for).run()
