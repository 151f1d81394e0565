"""A REST API's ``Auth``, written into the OpenAPI document SAM manages, as aws-sam-translator writes it.

Reproduced: ``Authorizers`` (Cognito user pools; Lambda token and request authorizers with their identity sources,
result TTL, validation expression, invoke role and scopes), ``DefaultAuthorizer`` (one of them or ``AWS_IAM``,
which also gives each Lambda integration the caller's credentials), ``ApiKeyRequired``, and whether either applies
to ``options`` methods; the Lambda permissions that let API Gateway call an authorizer function. Refused: the
author's own document, ``ResourcePolicy``, ``UsagePlan``, ``InvokeRole``, values the translator resolves from
parameters. An event's own ``Auth`` (``Authorizer``, including ``NONE``; ``AuthorizationScopes``;
``ApiKeyRequired``) is written on its method when the event expands, before the API's defaults."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from remit.loaders.sam_native.api_common import check_string_lists
from remit.loaders.sam_native.common import Refused, is_intrinsic, refers_to_parameters
from remit.loaders.sam_native.py27 import py27_order

AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"
_AUTH_KEYS = frozenset({"Authorizers", "DefaultAuthorizer", "ApiKeyRequired", "AddDefaultAuthorizerToCorsPreflight",
                        "AddApiKeyRequiredToCorsPreflight"})
_AUTHORIZER_KEYS = frozenset({"UserPoolArn", "FunctionArn", "Identity", "FunctionPayloadType", "FunctionInvokeRole",
                              "AuthorizationScopes", "DisableFunctionDefaultPermissions"})
_IDENTITY_KEYS = frozenset({"Header", "ValidationExpression", "ReauthorizeEvery", "Headers", "QueryStrings",
                            "StageVariables", "Context"})
_SOURCES = (("Headers", "method.request.header."), ("QueryStrings", "method.request.querystring."),
            ("StageVariables", "stageVariables."), ("Context", "context."))
CALLER_CREDENTIALS = "arn:aws:iam::*:user/*"  # remit translates in us-east-1: the aws partition
_IAM: dict[str, Any] = {}  # the AWS_IAM pseudo-authorizer's settings (none)


def check_auth(props: Mapping[str, Any], parameters: Mapping[str, Any]) -> None:
    """Refuse an ``Auth`` (after ``Globals.Api``) not reproduced here or that the translator rejects."""
    auth = props.get("Auth")
    if auth is None:
        return
    if not isinstance(auth, dict) or is_intrinsic(auth) or set(auth) - _AUTH_KEYS:
        raise Refused("Api: Auth")
    if "DefinitionUri" in props or ("DefinitionBody" in props and not editable(props["DefinitionBody"])):
        raise Refused("Api: Auth with the author's own document")
    if refers_to_parameters(auth, parameters):
        raise Refused("Api: Auth refers to a parameter (the translator resolves it)")
    for flag in ("ApiKeyRequired", "AddDefaultAuthorizerToCorsPreflight", "AddApiKeyRequiredToCorsPreflight"):
        if not isinstance(auth.get(flag, False), bool):
            raise Refused(f"Api: Auth.{flag} is not a boolean")
    authorizers = auth.get("Authorizers")
    if authorizers is not None:
        if not isinstance(authorizers, dict) or is_intrinsic(authorizers):
            raise Refused("Api: Auth.Authorizers is not a mapping")
        for name, spec in authorizers.items():
            _check_authorizer(name, spec)
    default = auth.get("DefaultAuthorizer")
    if default is not None and (not isinstance(default, str) or (
            default != "AWS_IAM" and default not in (authorizers or {}))):
        raise Refused("Api: DefaultAuthorizer is not AWS_IAM or one of Authorizers")


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"})


def editable(body: object) -> bool:
    """Whether remit edits an author's OpenAPI document as the translator would for ``Auth`` or ``Cors``: a
    Swagger 2 document whose path items hold only plain method definitions (no conditions, no path-level
    parameters, which the translator's editor rejects or treats apart)."""
    if not isinstance(body, dict) or not body.get("swagger") or "openapi" in body or not isinstance(
            body.get("paths"), dict):
        return False
    if not isinstance(body.get("securityDefinitions") or {}, dict):
        return False
    return all(isinstance(item, dict) and not is_intrinsic(item) and all(
        method in _METHODS and isinstance(definition, dict) and not is_intrinsic(definition)
        and isinstance(definition.get("security", []), list)
        and all(isinstance(entry, dict) for entry in definition.get("security", []))
        for method, definition in item.items()) for item in body["paths"].values())


def _check_authorizer(name: object, spec: object) -> None:
    if not isinstance(name, str) or not isinstance(spec, dict) or is_intrinsic(spec) or set(spec) - _AUTHORIZER_KEYS:
        raise Refused("Api: an authorizer written in a shape not reproduced")
    if bool(spec.get("UserPoolArn")) == bool(spec.get("FunctionArn")):
        raise Refused("Api: an authorizer with both or neither of UserPoolArn and FunctionArn")
    if spec.get("FunctionPayloadType") not in (None, "TOKEN", "REQUEST"):
        raise Refused("Api: an authorizer's FunctionPayloadType the translator rejects")
    if not isinstance(spec.get("AuthorizationScopes", []), list):
        raise Refused("Api: an authorizer's AuthorizationScopes is not a list")
    if not isinstance(spec.get("DisableFunctionDefaultPermissions", False), bool):
        raise Refused("Api: an authorizer's DisableFunctionDefaultPermissions is not a boolean")
    identity = spec.get("Identity")
    if identity is not None:
        if not isinstance(identity, dict) or is_intrinsic(identity) or set(identity) - _IDENTITY_KEYS:
            raise Refused("Api: an authorizer's Identity written in a shape not reproduced")
        check_string_lists(identity, (key for key, _ in _SOURCES), "Api: an authorizer's Identity")
        if identity.get("ReauthorizeEvery") is not None and not isinstance(identity["ReauthorizeEvery"], int):
            raise Refused("Api: an authorizer's ReauthorizeEvery is not a number")
    if spec.get("FunctionPayloadType") == "REQUEST" and not _identity_source(identity or {}) and not (
            identity and identity.get("ReauthorizeEvery") == 0):
        raise Refused("Api: a request authorizer without an identity source (the translator rejects it)")


def _identity_source(identity: Mapping[str, Any]) -> str:
    return ", ".join(prefix + item for key, prefix in _SOURCES for item in identity.get(key) or ())


def _authorizer(spec: Mapping[str, Any], *, iam: bool = False) -> dict[str, Any]:
    """The ``securityDefinitions`` entry of one authorizer."""
    identity = spec.get("Identity") or {}
    payload = spec.get("FunctionPayloadType") or "TOKEN"
    kind = "AWS_IAM" if iam else "COGNITO_USER_POOLS" if spec.get("UserPoolArn") else "LAMBDA"
    header = "Unused" if kind == "LAMBDA" and payload == "REQUEST" else identity.get("Header") or "Authorization"
    out: dict[str, Any] = {"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authtype": {
        "AWS_IAM": "awsSigv4", "COGNITO_USER_POOLS": "cognito_user_pools"}.get(kind, "custom")}
    if kind == "COGNITO_USER_POOLS":
        arns = spec["UserPoolArn"]
        out[AUTHORIZER_KEY] = {"type": "cognito_user_pools", "providerARNs": arns if isinstance(arns, list) else [arns]}
    elif kind == "LAMBDA":
        settings: dict[str, Any] = {"type": "request" if payload == "REQUEST" else "token", "authorizerUri": {
            "Fn::Sub": ["arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}"
                        "/invocations", {"__FunctionArn__": spec["FunctionArn"]}]}}
        if identity.get("ReauthorizeEvery") is not None:
            settings["authorizerResultTtlInSeconds"] = identity["ReauthorizeEvery"]
        role = spec.get("FunctionInvokeRole")
        if role and role != "NONE":
            settings["authorizerCredentials"] = role
        if payload == "REQUEST" and _identity_source(identity):
            settings["identitySource"] = _identity_source(identity)
        out[AUTHORIZER_KEY] = settings
    if (kind == "COGNITO_USER_POOLS" or (kind == "LAMBDA" and payload == "TOKEN")) and identity.get(
            "ValidationExpression"):
        out[AUTHORIZER_KEY]["identityValidationExpression"] = identity["ValidationExpression"]
    return out


def _methods(body: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every method of the document that has an integration, as ``(method name, definition)``."""
    for item in body["paths"].values():
        for method, definition in item.items():
            if isinstance(definition, dict) and definition.get("x-amazon-apigateway-integration"):
                yield method, definition


_IAM_DEFINITION = {"x-amazon-apigateway-authtype": "awsSigv4", "type": "apiKey", "name": "Authorization",
                   "in": "header"}
_API_KEY_DEFINITION = {"type": "apiKey", "name": "x-api-key", "in": "header"}
_EVENT_AUTH_KEYS = frozenset({"Authorizer", "AuthorizationScopes", "ApiKeyRequired"})


def _define(body: dict[str, Any], name: str, definition: Mapping[str, Any]) -> None:
    """Add a security definition unless the document has one of that name (the translator's idempotent adds)."""
    _definitions(body).setdefault(name, dict(definition))


def _definitions(body: dict[str, Any]) -> dict[str, Any]:
    """The document's security definitions, made a mapping as the translator's editor makes an empty one."""
    found = body.get("securityDefinitions") or {}
    body["securityDefinitions"] = found
    return found  # editable() let only a mapping or an empty value through


def check_event_auth(auth: object, api_auth: object) -> None:
    """Refuse an event's ``Auth`` not reproduced here or that the translator rejects against its API's."""
    if not isinstance(auth, dict) or is_intrinsic(auth) or set(auth) - _EVENT_AUTH_KEYS:
        raise Refused("Api: an event's Auth written in a shape not reproduced")
    api = api_auth if isinstance(api_auth, dict) else {}
    authorizers = api.get("Authorizers") or {}
    name = auth.get("Authorizer")
    if name is not None and not isinstance(name, str):
        raise Refused("Api: an event's Authorizer is not a name")
    if name and name not in ("AWS_IAM", "NONE") and name not in authorizers:
        raise Refused("Api: an event's Authorizer the API does not define (the translator rejects it)")
    if name == "NONE" and not api.get("DefaultAuthorizer"):
        raise Refused("Api: Authorizer NONE without a DefaultAuthorizer (the translator rejects it)")
    scopes = auth.get("AuthorizationScopes")
    if scopes is not None and (not isinstance(scopes, list) or (scopes and not name)):
        raise Refused("Api: an event's AuthorizationScopes the translator rejects")
    required = auth.get("ApiKeyRequired")
    if required is not None and (not isinstance(required, bool) or (required is False and not api.get(
            "ApiKeyRequired"))):
        raise Refused("Api: an event's ApiKeyRequired the translator rejects")


def event_auth(body: dict[str, Any], definition: dict[str, Any], auth: Mapping[str, Any],
               api_auth: Mapping[str, Any] | None) -> None:
    """An event's own ``Auth`` on its method (after its integration), as the translator writes it."""
    name = auth.get("Authorizer")
    if name:
        authorizers = (api_auth or {}).get("Authorizers") or {}
        entry: Any = []
        if name != "NONE" and authorizers:
            scopes = authorizers.get(name, {}).get("AuthorizationScopes")
            if auth.get("AuthorizationScopes") is not None:
                scopes = auth["AuthorizationScopes"]
            if authorizers.get(name) is not None and scopes is not None:
                entry = scopes
        definition["security"] = [*definition.get("security", []), {name: entry}]
        if "AWS_IAM" in definition["security"][0]:
            _define(body, "AWS_IAM", _IAM_DEFINITION)
    required = auth.get("ApiKeyRequired")
    if required is not None:
        if required:
            _define(body, "api_key", _API_KEY_DEFINITION)
        existing = definition.get("security", [])
        security = [*existing, {"api_key" if required else "api_key_false": []}]
        if security != existing:
            definition["security"] = security


def apply_auth(body: dict[str, Any], auth: Mapping[str, Any] | None) -> None:
    """Write the API's ``Auth`` into its managed document (in place), as the translator does once every event
    has added its route (and its own ``Auth``)."""
    if not auth:
        return
    authorizers = dict(auth.get("Authorizers") or {})
    default = auth.get("DefaultAuthorizer")
    if default == "AWS_IAM":
        authorizers = {"AWS_IAM": _IAM, **authorizers}
    if authorizers:
        definitions = _definitions(body)
        for name, spec in authorizers.items():
            definitions[name] = _authorizer(spec, iam=spec is _IAM)
        if default:
            _default_authorizer(body, default, authorizers, auth.get("AddDefaultAuthorizerToCorsPreflight", True))
    if auth.get("ApiKeyRequired"):
        _define(body, "api_key", _API_KEY_DEFINITION)
        for method, definition in _methods(body):
            existing = definition.get("security", [])
            other = [s for s in existing if not {"api_key", "api_key_false"} & set(s)]
            keyed = [s for s in existing if {"api_key", "api_key_false"} & set(s)]
            security = other if any("api_key_false" in s for s in keyed) else [*other, {"api_key": []}]
            if method == "options" and not auth.get("AddApiKeyRequiredToCorsPreflight", True):
                security = other
            if security != existing:
                definition["security"] = security


def _default_authorizer(body: dict[str, Any], default: str, authorizers: Mapping[str, Any], preflight: bool) -> None:
    names = {"AWS_IAM", *authorizers}
    scopes = authorizers.get(default, {}).get("AuthorizationScopes", [])
    for method, definition in _methods(body):
        if method == "options" and not preflight:
            continue
        existing = definition.get("security", [])
        other = [s for s in existing if names.isdisjoint(s)]
        chosen = [s for s in existing if not names.isdisjoint(s)]
        unauthenticated = next((i for i, s in enumerate(other) if "NONE" in s), -1)
        if unauthenticated > -1:
            del other[unauthenticated]
            chosen = []
        elif not chosen:
            chosen = [{default: scopes}]
        security = other + chosen
        if security:
            definition["security"] = security
            if "AWS_IAM" in security[0]:
                _define(body, "AWS_IAM", _IAM_DEFINITION)


def authorizer_permissions(api: str, auth: Mapping[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The permissions that let API Gateway call each Lambda authorizer's function."""
    made = []
    authorizers = (auth or {}).get("Authorizers") or {}
    for name in py27_order(authorizers):  # the translator's mapping of them iterates in Python 2.7's order
        spec = authorizers[name]
        if not spec.get("FunctionArn") or spec.get("DisableFunctionDefaultPermissions"):
            continue
        made.append((f"{api}{name}AuthorizerPermission", {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": spec["FunctionArn"],
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": ["arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}"
                                      "/authorizers/*", {"__ApiId__": {"Ref": api}}]}}}))
    return made
