"""An HTTP API's ``Auth``, written into the OpenAPI document SAM manages, as aws-sam-translator writes it: JWT
(OAuth 2) and Lambda request authorizers and the IAM one as security schemes, the default authorizer on every
method without security of its own (``options`` excepted), an event's own ``Auth`` on its method, and the
permission for API Gateway to call a Lambda authorizer that asks for it. Refused: the author's own document and
shapes the translator rejects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.api_common import check_string_lists
from remit.loaders.sam_native.common import Refused, is_intrinsic

_AUTH_KEYS = frozenset({"Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"})
_JWT_KEYS = frozenset({"AuthorizationScopes", "JwtConfiguration", "IdentitySource"})
_LAMBDA_KEYS = frozenset({"FunctionArn", "FunctionInvokeRole", "Identity", "AuthorizerPayloadFormatVersion",
                          "EnableSimpleResponses", "EnableFunctionDefaultPermissions"})
_IDENTITY_KEYS = frozenset({"ReauthorizeEvery", "Headers", "QueryStrings", "StageVariables", "Context"})
_SOURCES = (("$request.header.", "Headers"), ("$request.querystring.", "QueryStrings"),
            ("$stageVariables.", "StageVariables"), ("$context.", "Context"))
_KEY = "x-amazon-apigateway-authorizer"
_INTEGRATION = "x-amazon-apigateway-integration"


def check_auth(props: Mapping[str, Any], managed: bool) -> None:
    """Refuse an ``Auth`` (after ``Globals.HttpApi``) not reproduced here or that the translator rejects."""
    auth = props.get("Auth")
    if auth is None:
        return
    if not isinstance(auth, dict) or is_intrinsic(auth) or set(auth) - _AUTH_KEYS:
        raise Refused("HttpApi: Auth")
    if not managed:
        raise Refused("HttpApi: Auth with the author's own document")
    if not isinstance(auth.get("EnableIamAuthorizer", False), bool):
        raise Refused("HttpApi: EnableIamAuthorizer is not a boolean")
    authorizers = auth.get("Authorizers") or {}
    if not isinstance(authorizers, dict) or is_intrinsic(authorizers):
        raise Refused("HttpApi: Auth.Authorizers is not a mapping")
    for name, spec in authorizers.items():
        if not isinstance(spec, dict) or is_intrinsic(spec):
            raise Refused(f"HttpApi: authorizer {name} is not a mapping")
        _check_authorizer(spec)
    default = auth.get("DefaultAuthorizer")
    known = {*authorizers, *(["AWS_IAM"] if auth.get("EnableIamAuthorizer") is True else [])}
    if default is not None and (not isinstance(default, str) or default not in known):
        raise Refused("HttpApi: DefaultAuthorizer is not one of the API's authorizers")


def _check_authorizer(spec: Mapping[str, Any]) -> None:
    jwt = bool(spec.get("JwtConfiguration"))
    allowed = _JWT_KEYS if jwt else _LAMBDA_KEYS
    if set(spec) - allowed or any(spec.get(key) is None for key in spec):
        raise Refused("HttpApi: an authorizer written in a shape not reproduced")
    if not isinstance(spec.get("AuthorizationScopes", []), list):
        raise Refused("HttpApi: an authorizer's AuthorizationScopes is not a list")
    if jwt:
        if not isinstance(spec["JwtConfiguration"], dict) or is_intrinsic(spec["JwtConfiguration"]) or not spec.get(
                "IdentitySource"):
            raise Refused("HttpApi: a JWT authorizer the translator rejects or transforms")
        return
    if not spec.get("FunctionArn") or not spec.get("AuthorizerPayloadFormatVersion"):
        raise Refused("HttpApi: a Lambda authorizer without FunctionArn or AuthorizerPayloadFormatVersion")
    if not isinstance(spec.get("EnableFunctionDefaultPermissions", False), bool):
        raise Refused("HttpApi: an authorizer's EnableFunctionDefaultPermissions is not a boolean")
    identity = spec.get("Identity")
    if identity is not None:
        if not isinstance(identity, dict) or is_intrinsic(identity) or set(identity) - _IDENTITY_KEYS:
            raise Refused("HttpApi: an authorizer's Identity written in a shape not reproduced")
        check_string_lists(identity, (key for _, key in _SOURCES), "HttpApi: an authorizer's Identity")


def _scheme(spec: Mapping[str, Any] | None) -> dict[str, Any]:
    if spec is None:  # the IAM authorizer
        return {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
    if spec.get("JwtConfiguration"):
        jwt = {key.lower(): value for key, value in spec["JwtConfiguration"].items()}  # SAM takes either case
        return {"type": "oauth2", _KEY: {"jwtConfiguration": jwt, "identitySource": spec["IdentitySource"],
                                         "type": "jwt"}}
    settings: dict[str, Any] = {"type": "request", "authorizerUri": {"Fn::Sub": [
        "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
        {"__FunctionArn__": spec["FunctionArn"]}]}}
    role = spec.get("FunctionInvokeRole")
    if role and role != "NONE":
        settings["authorizerCredentials"] = role
    identity = spec.get("Identity")
    if identity:
        if identity.get("ReauthorizeEvery") is not None:
            settings["authorizerResultTtlInSeconds"] = identity["ReauthorizeEvery"]
        settings["identitySource"] = [prefix + value for prefix, key in _SOURCES for value in identity.get(key) or ()]
    settings["authorizerPayloadFormatVersion"] = spec["AuthorizerPayloadFormatVersion"]
    if spec.get("EnableSimpleResponses"):
        settings["enableSimpleResponses"] = spec["EnableSimpleResponses"]
    return {"type": "apiKey", "name": "Unused", "in": "header", _KEY: settings}


def _authorizers(auth: Mapping[str, Any]) -> dict[str, Mapping[str, Any] | None]:
    found: dict[str, Mapping[str, Any] | None] = {}
    if auth.get("EnableIamAuthorizer") is True:
        found["AWS_IAM"] = None
    found.update(auth.get("Authorizers") or {})
    return found


def check_event_auth(auth: object, api_auth: Mapping[str, Any] | None) -> None:
    """Refuse an event's ``Auth`` not reproduced here or that the translator rejects against its API's."""
    if not isinstance(auth, dict) or is_intrinsic(auth) or set(auth) - {"Authorizer", "AuthorizationScopes"}:
        raise Refused("HttpApi: an event's Auth written in a shape not reproduced")
    api = api_auth or {}
    name = auth.get("Authorizer") or api.get("DefaultAuthorizer")
    if not isinstance(name, str):
        raise Refused("HttpApi: an event's Auth without an authorizer (the translator rejects it)")
    if name == "NONE":
        if not api.get("DefaultAuthorizer"):
            raise Refused("HttpApi: Authorizer NONE without a DefaultAuthorizer (the translator rejects it)")
    elif name not in _authorizers(api):
        raise Refused("HttpApi: an event's Authorizer the API does not define (the translator rejects it)")
    if not isinstance(auth.get("AuthorizationScopes", []), list):
        raise Refused("HttpApi: an event's AuthorizationScopes is not a list")


def event_auth(definition: dict[str, Any], auth: Mapping[str, Any], api_auth: Mapping[str, Any] | None) -> None:
    """An event's own ``Auth`` on its method (after its integration)."""
    api = api_auth or {}
    name = auth.get("Authorizer") or api["DefaultAuthorizer"]
    entry: Any = []
    if name not in ("NONE", "AWS_IAM"):
        spec = (api.get("Authorizers") or {})[name]
        scopes = auth.get("AuthorizationScopes") or spec.get("AuthorizationScopes")
        if spec and scopes:
            entry = scopes
    definition["security"] = [*definition.get("security", []), {name: entry}]


def apply_auth(body: dict[str, Any], auth: Mapping[str, Any] | None) -> None:
    """Write the API's ``Auth`` into its managed document (in place), once every event has added its route."""
    if not auth:
        return
    authorizers = _authorizers(auth)
    if authorizers:
        body.setdefault("components", {})["securitySchemes"] = {name: _scheme(spec)
                                                               for name, spec in authorizers.items()}
    default = auth.get("DefaultAuthorizer")
    if not default:
        return
    spec = authorizers.get(default)
    scopes = spec.get("AuthorizationScopes") if spec else None
    for item in body["paths"].values():
        for method, definition in item.items():
            if method in ("parameters", "options") or not isinstance(definition, dict):
                continue
            if definition.get(_INTEGRATION) and not definition.get("security"):
                definition["security"] = [{default: scopes if scopes is not None else []}]


def authorizer_permissions(api: str, auth: Mapping[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The permissions that let API Gateway call the Lambda authorizers that ask for one."""
    made = []
    for name, spec in ((auth or {}).get("Authorizers") or {}).items():
        if not spec.get("FunctionArn") or spec.get("EnableFunctionDefaultPermissions") is not True:
            continue
        made.append((f"{api}{name}AuthorizerPermission", {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": spec["FunctionArn"],
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
                                      "${__ApiId__}/authorizers/*", {"__ApiId__": {"Ref": api}}]}}}))
    return made
