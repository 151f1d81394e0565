"""The ``Globals`` section merged into each function, by the translator's rules.

Local wins for scalars, intrinsic functions (a one-key ``Ref``/``Condition``/``Fn::`` mapping counts as a scalar)
and mismatched kinds; mappings merge key by key (the global keys first, then the local ones); lists concatenate,
global items first — except ``Architectures``, which the local value replaces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic

# the Function properties the translator accepts in Globals (the rest of its list is refused here)
FUNCTION_GLOBALS = frozenset({
    "Handler", "Runtime", "CodeUri", "Description", "MemorySize", "Timeout", "VpcConfig", "Environment", "Tags",
    "Tracing", "KmsKeyArn", "Layers", "RolePath", "PermissionsBoundary", "ReservedConcurrentExecutions",
    "AssumeRolePolicyDocument", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
    "EphemeralStorage", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "DurableConfig",
    "FunctionUrlConfig", "DeadLetterQueue", "EventInvokeConfig",
})
# the Api properties the translator accepts in Globals that are reproduced (the rest of its list is refused)
API_GLOBALS = frozenset({
    "Name", "CacheClusterEnabled", "CacheClusterSize", "Variables", "EndpointConfiguration",
    "MethodSettings", "MinimumCompressionSize", "AccessLogSetting", "TracingEnabled", "OpenApiVersion",
    "AlwaysDeploy", "Auth", "Cors", "BinaryMediaTypes", "Domain",
})
_ACCEPTED = {"Function": FUNCTION_GLOBALS, "SimpleTable": frozenset({"SSESpecification"}),
             "LayerVersion": frozenset({"PublishLambdaVersion"}), "Api": API_GLOBALS,
             "HttpApi": frozenset({"AccessLogSettings", "StageVariables", "DefaultRouteSettings", "RouteSettings",
                                   "FailOnWarnings", "Auth", "Tags"})}
_REPLACED = frozenset({"Architectures"})


def sam_globals(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{section: properties}`` of the ``Globals`` sections reproduced here (Function, SimpleTable,
    LayerVersion, Api, HttpApi), or refusal for any other section or property."""
    if "Globals" not in template:
        return {}
    section = template["Globals"]
    if not isinstance(section, dict) or not section:
        raise Refused("Globals: not a mapping")
    extra = set(section) - set(_ACCEPTED)
    if extra:
        raise Refused(f"Globals: section {sorted(extra)[0]}")
    for name, properties in section.items():
        if not isinstance(properties, dict):
            raise Refused(f"Globals.{name}: not a mapping")
        unknown = set(properties) - _ACCEPTED[name]
        if unknown:
            raise Refused(f"Globals.{name}: {sorted(unknown)[0]}")
    return section


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "scalar" if is_intrinsic(value) else "map"
    return "list" if isinstance(value, list) else "scalar"


def _merge(global_value: Any, local_value: Any, path: str) -> Any:
    kind = _kind(global_value)
    if kind != _kind(local_value) or kind == "scalar":
        return local_value
    if path in _REPLACED:
        return local_value
    if kind == "list":
        return global_value + local_value
    merged = dict(global_value)
    for key, value in local_value.items():
        merged[key] = _merge(merged[key], value, f"{path}.{key}".lstrip(".")) if key in merged else value
    return merged


def merged(globals_: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """A function's properties with ``Globals.Function`` merged in."""
    if not globals_:
        return dict(properties)
    return _merge(dict(globals_), dict(properties), "")  # type: ignore[no-any-return]  # two maps merge to a map
