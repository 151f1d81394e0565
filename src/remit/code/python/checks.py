"""Findings in Python code that need no taint: hard-coded secrets and JWTs trusted without verification.

Secrets reuse :mod:`remit.secretscan`: a string literal held under a secret-like name (an assignment, a
keyword argument, a dict key, a default argument, a comparison) is classified by name and format; any other
literal only by format (AWS keys, private keys, provider tokens). Docstrings are skipped; nothing reported
carries the secret itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from remit import secretscan
from remit.code.facts import CodeIssue, IssueKind
from remit.code.python.modules import Module, walk

_JWT_MODULES = ("jwt", "jose", "authlib", "python_jwt")
_B64 = frozenset({"b64decode", "urlsafe_b64decode", "decodebytes", "standard_b64decode", "b64_decode"})


def issues(mod: Module) -> tuple[CodeIssue, ...]:
    """Secrets and unverified JWTs in one module (computed once per file)."""
    return (*_secrets(mod), *_jwt(mod))


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _named_literals(tree: ast.Module) -> Iterator[tuple[str, ast.Constant]]:
    for node in walk(tree):
        pairs: list[tuple[ast.AST | None, ast.AST | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign):
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.Call):
            pairs = [(ast.Name(id=kw.arg), kw.value) for kw in node.keywords if kw.arg]
        elif isinstance(node, ast.Dict):
            pairs = list(zip(node.keys, node.values, strict=False))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            pairs = [(ast.Name(id=a.arg), d) for a, d in zip(positional[len(positional) - len(args.defaults):],
                                                             args.defaults, strict=False)]
            pairs += [(ast.Name(id=a.arg), d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False)]
        elif isinstance(node, ast.Compare) and len(node.comparators) == 1:
            pairs = [(node.left, node.comparators[0])]
        for target, value in pairs:
            if target is None or not isinstance(value, ast.Constant) or not isinstance(value.value, str):
                continue
            name = _name_of(target)
            if name:
                yield name, value


def _secrets(mod: Module) -> Iterator[CodeIssue]:
    skip = _docstrings(mod.tree)
    seen: set[int] = set()
    for name, const in _named_literals(mod.tree):
        if id(const) in seen:
            continue
        seen.add(id(const))
        found = secretscan.classify(name, str(const.value))
        if found is not None:
            yield _issue(mod, const, 0, found, name)
    for node in mod.nodes:
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in seen \
                or id(node) in skip:
            continue
        for start, _, match in secretscan.find_in_text(node.value):
            yield _issue(mod, node, node.value.count("\n", 0, start), match, "")


def _issue(mod: Module, node: ast.Constant, extra_lines: int, match: secretscan.SecretMatch,
           name: str) -> CodeIssue:
    location = mod.loc(node)
    if extra_lines:
        location = type(location)(location.path, location.line + extra_lines, 1)
    held = f" in {name}" if name else ""
    return CodeIssue(IssueKind.SECRET, location,
                     f"A {match.kind} ({match.masked}) is written in the code{held}: anyone who can read the "
                     f"package or the repository has it",
                     evidence=f"{match.kind}|{name}", critical=match.critical)


def _jwt_module(mod: Module, node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    ref = mod.info.imports.get(node.id)
    module = (ref.module or ref.attr or "") if ref is not None else node.id
    return module.split(".", 1)[0] in _JWT_MODULES or node.id == "jwt"


def _false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _scope_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of one scope (a module or a function body), without the bodies of functions nested in it."""
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        out.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _call_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _may_judge(node: ast.Call) -> bool:
    """Whether :func:`_jwt_in` could report this call at all (a decode, an unverified read, a base64 decoder)."""
    name = _call_name(node.func)
    return (name == "decode" and isinstance(node.func, ast.Attribute)) or name == "get_unverified_claims" or \
        _base64_decoder(name)


def _jwt(mod: Module) -> Iterator[CodeIssue]:
    if not any(isinstance(node, ast.Call) and _may_judge(node) for node in mod.nodes):
        return  # most files: no call it could judge, so no scope needs its nodes listed and its splits found
    scopes = [mod.tree, *(n for n in mod.nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]
    found = [issue for scope in scopes for issue in _jwt_in(mod, _scope_nodes(scope))]
    yield from sorted(found, key=lambda issue: (issue.location.line, issue.location.column))


def _jwt_in(mod: Module, nodes: list[ast.AST]) -> Iterator[CodeIssue]:
    parts, payloads = _token_splits(nodes)
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = _call_name(func)
        reason = ""
        if name == "decode" and isinstance(func, ast.Attribute) and _jwt_module(mod, func.value):
            for kw in node.keywords:
                if kw.arg == "verify" and _false(kw.value):
                    reason = "jwt.decode(verify=False) skips the signature check"
                elif kw.arg == "options" and isinstance(kw.value, ast.Dict):
                    for key, value in zip(kw.value.keys, kw.value.values, strict=False):
                        if isinstance(key, ast.Constant) and key.value == "verify_signature" and _false(value):
                            reason = 'jwt.decode(options={"verify_signature": False}) skips the signature check'
                elif kw.arg == "algorithms" and isinstance(kw.value, (ast.List, ast.Tuple)) and any(
                        isinstance(e, ast.Constant) and str(e.value).lower() == "none" for e in kw.value.elts):
                    reason = 'jwt.decode accepts the "none" algorithm: an unsigned token passes'
        elif name in ("get_unverified_claims",) and (not isinstance(func, ast.Attribute)
                                                     or _jwt_module(mod, func.value)):
            reason = "get_unverified_claims reads the token's claims without checking its signature"
        elif _base64_decoder(name) and node.args and _token_payload(node.args[0], parts, payloads):
            reason = "the token's payload is base64-decoded and used without checking its signature"
        if reason:
            yield CodeIssue(IssueKind.JWT_UNVERIFIED, mod.loc(node),
                            f"A JSON Web Token is trusted without verification: {reason}; anyone can forge its "
                            f"claims (user id, groups, roles)", evidence=reason)


def _base64_decoder(name: str) -> bool:
    """``base64.urlsafe_b64decode`` and the like, or a project's own helper named for it (``b64url_decode``,
    ``base64url_decode``, ``decode_base64``)."""
    lowered = name.lower()
    return name in _B64 or ("decode" in lowered and ("b64" in lowered or "base64" in lowered))


def _dot_split(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
        "split", "rsplit") and bool(node.args) and isinstance(node.args[0], ast.Constant) and \
        node.args[0].value == "."


def _token_splits(nodes: list[ast.AST]) -> tuple[frozenset[str], frozenset[str]]:
    """Names of one scope holding a token split on dots (``parts = token.split(".")``) and names holding its
    middle segment (``header, payload, signature = token.split(".")``; ``payload = parts[1]``)."""
    parts: set[str] = set()
    payloads: set[str] = set()
    assigns = [node for node in nodes if isinstance(node, ast.Assign) and len(node.targets) == 1]
    for node in assigns:
        target = node.targets[0]
        if not _dot_split(node.value):
            continue
        if isinstance(target, ast.Name):
            parts.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 3 and \
                isinstance(target.elts[1], ast.Name):
            payloads.add(target.elts[1].id)
    for node in assigns:
        target = node.targets[0]
        if isinstance(target, ast.Name) and _middle_of(node.value, parts):
            payloads.add(target.id)
    return frozenset(parts), frozenset(payloads)


def _middle_of(node: ast.expr, parts: frozenset[str] | set[str]) -> bool:
    """``token.split(".")[1]`` or ``parts[1]`` for a name holding such a split."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == 1):
        return False
    held = node.value
    return _dot_split(held) or (isinstance(held, ast.Name) and held.id in parts)


def _token_payload(node: ast.expr, parts: frozenset[str], payloads: frozenset[str]) -> bool:
    """A token's middle segment (possibly padded or encoded) somewhere inside ``node``."""
    for inner in ast.walk(node):
        if _middle_of(inner, parts) if isinstance(inner, ast.Subscript) else (
                isinstance(inner, ast.Name) and inner.id in payloads):
            return True
    return False
