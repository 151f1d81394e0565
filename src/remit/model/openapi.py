"""Routes, authorization and CORS read from an API's OpenAPI (or Swagger 2) body.

An operation's effective authorization follows OpenAPI: an operation-level ``security`` replaces the
top-level one. Unlike plain OpenAPI, API Gateway applies every entry of the list together: SAM writes an
authorizer and ``{api_key: []}`` as two entries to require both, and a name that is no defined scheme authorizes
nothing (SAM writes ``NONE`` for ``Auth: {Authorizer: NONE}``). API Gateway's extensions decide what a
scheme is: ``x-amazon-apigateway-authtype`` (``cognito_user_pools``, ``custom``, ``awsSigv4``) and
``x-amazon-apigateway-authorizer`` (``jwt``, ``token``, ``request``, ``cognito_user_pools``); an ``apiKey``
scheme on the ``x-api-key`` header without an authorizer is an API key requirement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeAlias

from remit.model.entities import AuthKind, Cors, Route, RouteAuth
from remit.model.resources import Resource, ResourceId
from remit.model.values import Value, items, render, text, truthy
from remit.source import NodePath

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ANY_METHOD = "x-amazon-apigateway-any-method"

FunctionTarget: TypeAlias = "Callable[[Value | None], ResourceId | None]"
RouteNode: TypeAlias = Callable[[Resource, ResourceId | None, str, str, NodePath], NodePath]


def _schemes(body: Mapping[str, Any]) -> Mapping[str, Any]:
    found: dict[str, Any] = {}
    definitions = body.get("securityDefinitions")
    if isinstance(definitions, dict):
        found.update(definitions)
    components = body.get("components")
    if isinstance(components, dict) and isinstance(components.get("securitySchemes"), dict):
        found.update(components["securitySchemes"])
    return found


def _scheme_auth(name: str, scheme: Any) -> RouteAuth:
    if not isinstance(scheme, dict):
        return RouteAuth(AuthKind.NONE)
    authtype = (text(scheme.get("x-amazon-apigateway-authtype")) or "").lower()
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    atype = (text(authorizer.get("type")) or "").lower() if isinstance(authorizer, dict) else ""
    if authtype == "cognito_user_pools" or atype == "cognito_user_pools":
        return RouteAuth(AuthKind.COGNITO, name)
    if authtype == "awssigv4" or name == "AWS_IAM" or atype == "aws_iam":
        return RouteAuth(AuthKind.IAM, name)
    if atype == "jwt" or (scheme.get("type") in ("oauth2", "openIdConnect") and not atype):
        return RouteAuth(AuthKind.JWT, name)
    if authtype == "custom" or atype in ("token", "request"):
        return RouteAuth(AuthKind.LAMBDA, name)
    if scheme.get("type") == "apiKey" and (text(scheme.get("name")) or "").lower() == "x-api-key":
        return RouteAuth(AuthKind.NONE, None, api_key_required=True)
    return RouteAuth(AuthKind.UNKNOWN, name)


def _combine(requirement: Mapping[str, Any], schemes: Mapping[str, Any]) -> RouteAuth:
    """One security requirement object: every named scheme applies together (AND)."""
    if not requirement:
        return RouteAuth(AuthKind.NONE)
    kind = AuthKind.NONE
    authorizer: str | None = None
    api_key = False
    for name in requirement:
        if name not in schemes:
            continue  # "NONE" and other undefined names authorize nothing
        part = _scheme_auth(str(name), schemes[name])
        api_key = api_key or part.api_key_required
        if part.kind is not AuthKind.NONE:
            kind, authorizer = part.kind, part.authorizer
    return RouteAuth(kind, authorizer, api_key)


def operation_auth(body: Mapping[str, Any], operation: Mapping[str, Any]) -> RouteAuth:
    schemes = _schemes(body)
    security = operation.get("security", body.get("security"))
    if not isinstance(security, list) or not security:
        return RouteAuth(AuthKind.NONE)
    parts = [_combine(r if isinstance(r, dict) else {}, schemes) for r in security]
    authorizer = next((p for p in parts if p.kind is not AuthKind.NONE), None)
    api_key = any(p.api_key_required for p in parts)
    if authorizer is None:
        return RouteAuth(AuthKind.NONE, None, api_key)
    return RouteAuth(authorizer.kind, authorizer.authorizer, api_key)


def _integration(operation: Mapping[str, Any], function_target: FunctionTarget) -> tuple[ResourceId | None, str]:
    integration = operation.get("x-amazon-apigateway-integration")
    if not isinstance(integration, dict):
        return None, ""
    uri = integration.get("uri")
    function = function_target(uri)
    itype = (text(integration.get("type")) or "").lower()
    if function is not None or ":lambda:path/" in render(uri or ""):
        return function, "lambda"
    return None, itype


def routes(api: Resource, function_target: FunctionTarget, route_node: RouteNode, *, rest: bool) -> Iterator[Route]:
    body = api.prop("Body")
    if not isinstance(body, dict):
        return
    paths = body.get("paths")
    if not isinstance(paths, dict):
        return
    for path, methods in paths.items():
        if not isinstance(methods, dict):
            continue
        for method, operation in methods.items():
            if not isinstance(operation, dict):
                continue
            low = method.lower()
            if low not in HTTP_METHODS and low != ANY_METHOD:
                continue
            shown = "ANY" if low == ANY_METHOD else low.upper()
            if shown == "OPTIONS" and rest and _is_cors_preflight(operation):
                continue
            function, itype = _integration(operation, function_target)
            auth = operation_auth(body, operation)
            if rest and truthy(operation.get("x-amazon-apigateway-api-key-required")) is True:
                auth = RouteAuth(auth.kind, auth.authorizer, True)
            node = route_node(api, function, shown, str(path), api.at("Body", "paths", path, method))
            yield Route(api.id, shown, str(path), auth, node, function, itype)


def _is_cors_preflight(operation: Mapping[str, Any]) -> bool:
    integration = operation.get("x-amazon-apigateway-integration")
    return isinstance(integration, dict) and text(integration.get("type")) == "mock"


def _header_values(raw: Value | None) -> tuple[str, ...]:
    """``"'GET,POST'"`` -> ("GET", "POST")."""
    value = text(raw) or ""
    value = value.strip().strip("'")
    return tuple(v.strip() for v in value.split(",") if v.strip())


def rest_cors(body: Value | None, node: NodePath) -> Cors | None:
    """CORS of a REST API, read from the preflight (mock OPTIONS) integrations SAM and authors write."""
    if not isinstance(body, dict) or not isinstance(body.get("paths"), dict):
        return None
    origins: list[Value] = []
    methods: list[Value] = []
    headers: list[Value] = []
    credentials: bool | None = None
    paths = body["paths"]
    assert isinstance(paths, dict)
    for ops in paths.values():
        options = ops.get("options") if isinstance(ops, dict) else None
        if not isinstance(options, dict) or not _is_cors_preflight(options):
            continue
        integration = options["x-amazon-apigateway-integration"]
        assert isinstance(integration, dict)
        responses = integration.get("responses")
        for response in responses.values() if isinstance(responses, dict) else ():
            params = response.get("responseParameters") if isinstance(response, dict) else None
            if not isinstance(params, dict):
                continue
            for key, value in params.items():
                low = key.lower()
                if low.endswith("access-control-allow-origin"):
                    origins.extend(v for v in _header_values(value) if v not in origins)
                elif low.endswith("access-control-allow-methods"):
                    methods.extend(v for v in _header_values(value) if v not in methods)
                elif low.endswith("access-control-allow-headers"):
                    headers.extend(v for v in _header_values(value) if v not in headers)
                elif low.endswith("access-control-allow-credentials"):
                    credentials = credentials or (_header_values(value) == ("true",))
    if not origins:
        return None
    return Cors(tuple(origins), credentials, tuple(methods), tuple(headers), node)


def http_api_cors(body: Value | None, node: NodePath) -> Cors | None:
    """CORS of an HTTP API written as the ``x-amazon-apigateway-cors`` extension of its OpenAPI body."""
    if not isinstance(body, dict):
        return None
    raw = body.get("x-amazon-apigateway-cors")
    if not isinstance(raw, dict):
        return None
    lowered = {k.lower(): v for k, v in raw.items()}
    credentials = truthy(lowered.get("allowcredentials")) if lowered.get("allowcredentials") is not None else None
    return Cors(items(lowered.get("alloworigins")), credentials, items(lowered.get("allowmethods")),
                items(lowered.get("allowheaders")), node)
