"""A REST API's ``Cors``, written into the OpenAPI document SAM manages, as aws-sam-translator writes it: an
``options`` method with a mock integration answering the preflight on every path that has none, its allowed
methods those of the path (all of them with ``ANY``). And what the translator does to a managed OpenAPI 3 document
last (``components`` for the security definitions and models, no ``consumes``/``produces`` on ``options``,
response headers as schemas — once more after each of its ``Auth`` and ``Models`` steps, which end with the same
pass)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic

_WILDCARD = "'*'"
_CORS_KEYS = ("AllowMethods", "AllowHeaders", "AllowOrigin", "MaxAge", "AllowCredentials")
_ANY_METHOD = "x-amazon-apigateway-any-method"
_ALL_METHODS = ("OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")
_HEADER = "method.response.header."


def cors_settings(value: Any) -> dict[str, Any] | None:
    """The API's ``Cors`` as the translator reads it, or ``None`` without one; refused where it would reject it."""
    if not value:
        return None
    if isinstance(value, str) or is_intrinsic(value):
        settings: dict[str, Any] = {"AllowOrigin": value}
    elif isinstance(value, dict) and not set(value) - set(_CORS_KEYS):
        settings = dict(value)
    else:
        raise Refused("Api: Cors written in a shape not reproduced")
    settings.setdefault("AllowOrigin", _WILDCARD)
    if not settings["AllowOrigin"]:
        raise Refused("Api: Cors without an origin (the translator rejects it)")
    if settings.get("AllowCredentials") is True and settings["AllowOrigin"] == _WILDCARD:
        raise Refused("Api: Cors AllowCredentials with any origin (the translator rejects it)")
    return settings


def apply_cors(body: dict[str, Any], settings: Mapping[str, Any] | None) -> None:
    """Add the preflight ``options`` methods to the managed document (in place)."""
    if settings is None:
        return
    normalized = [path.rstrip("/") if path != "/" else path for path in body["paths"]]
    if len(set(normalized)) != len(normalized):
        raise Refused("Api: Cors on paths that differ by a trailing slash (the translator's order decides)")
    for item in body["paths"].values():
        if "options" in item:
            continue
        methods = settings.get("AllowMethods")
        if not methods:
            found = set(_ALL_METHODS) if _ANY_METHOD in item else {m.upper() for m in [*item, "options"]}
            methods = "'" + ",".join(sorted(found)) + "'"
        item["options"] = _preflight(settings["AllowOrigin"], settings.get("AllowHeaders"), methods,
                                     settings.get("MaxAge"), settings.get("AllowCredentials") is True)


def _preflight(origin: Any, headers: Any, methods: Any, max_age: Any, credentials: bool) -> dict[str, Any]:
    parameters: dict[str, Any] = {_HEADER + "Access-Control-Allow-Origin": origin}
    described: dict[str, Any] = {"Access-Control-Allow-Origin": {"type": "string"}}
    if headers:
        parameters[_HEADER + "Access-Control-Allow-Headers"] = headers
        described["Access-Control-Allow-Headers"] = {"type": "string"}
    if methods:
        parameters[_HEADER + "Access-Control-Allow-Methods"] = methods
        described["Access-Control-Allow-Methods"] = {"type": "string"}
    if max_age is not None:
        parameters[_HEADER + "Access-Control-Max-Age"] = max_age
        described["Access-Control-Max-Age"] = {"type": "integer"}
    if credentials:
        parameters[_HEADER + "Access-Control-Allow-Credentials"] = "'true'"
        described["Access-Control-Allow-Credentials"] = {"type": "string"}
    return {
        "summary": "CORS support",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{\n  "statusCode" : 200\n}\n'},
            "responses": {"default": {"statusCode": "200", "responseParameters": parameters,
                                      "responseTemplates": {"application/json": "{}\n"}}}},
        "responses": {"200": {"description": "Default response for CORS method", "headers": described}},
    }


def openapi3_postprocess(body: dict[str, Any]) -> None:
    """The translator's last pass over a managed OpenAPI 3 document (nothing for a Swagger 2 one)."""
    if "openapi" not in body:
        return
    for section, component in (("securityDefinitions", "securitySchemes"), ("definitions", "schemas")):
        if body.get(section):
            components = body.get("components") or {}
            components[component] = body.pop(section)
            body["components"] = components
    for item in body["paths"].values():
        options = item.get("options")
        if not options:
            continue
        for field in ("produces", "consumes"):
            options.pop(field, None)
        headers = (options.get("responses") or {}).get("200", {}).get("headers")
        if headers:
            for name, value in list(headers.items()):
                headers[name] = {"schema": value}
