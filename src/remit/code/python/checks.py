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


def _jwt(mod: Module) -> Iterator[CodeIssue]:
    for node in mod.nodes:
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
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
        elif name in _B64 and node.args and _token_payload(node.args[0]):
            reason = "the token's payload is base64-decoded and used without checking its signature"
        if reason:
            yield CodeIssue(IssueKind.JWT_UNVERIFIED, mod.loc(node),
                            f"A JSON Web Token is trusted without verification: {reason}; anyone can forge its "
                            f"claims (user id, groups, roles)", evidence=reason)


def _token_payload(node: ast.expr) -> bool:
    """``token.split(".")[1]`` (possibly padded or encoded) somewhere inside ``node``."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Call):
            call = inner.value
            if isinstance(call.func, ast.Attribute) and call.func.attr == "split" and call.args and \
                    isinstance(call.args[0], ast.Constant) and call.args[0].value == "." and \
                    isinstance(inner.slice, ast.Constant) and inner.slice.value == 1:
                return True
    return False
