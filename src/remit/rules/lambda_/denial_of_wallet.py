"""RMT-LAMBDA-006."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Api, Function, Route
from remit.model.triggers import TriggerKind
from remit.rules.base import Hit, rule
from remit.rules.lambda_._common import always_set, names
from remit.source import NodePath


def _stage_throttled(api: Api) -> bool:
    """Every stage of the API sets a rate or burst limit for all its methods (and the API has a stage)."""
    return bool(api.stages) and all(always_set(s.throttle_rate) or always_set(s.throttle_burst) for s in api.stages)


def _plan_throttled(api: Api, route: Route, an: Analysis) -> bool:
    """The route needs an API key and a usage plan of this API throttles each key."""
    if not route.auth.api_key_required:
        return False
    return any(
        any(api_id == api.id for api_id, _stage in plan.api_stages)
        and (always_set(plan.throttle_rate) or always_set(plan.throttle_burst))
        for plan in an.app.usage_plans
    )


@rule(
    id="RMT-LAMBDA-006",
    title="Internet-facing function without concurrency or request limits (denial of wallet)",
    severity=Severity.MEDIUM,
    category=Category.DENIAL_OF_SERVICE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Function,
    impact=("Anyone who can reach the function can invoke it as fast as they like: you pay for every invocation and "
            "every downstream call (denial of wallet), and it takes the account's whole concurrency, throttling "
            "every other function in the region."),
    remediation="Set ReservedConcurrentExecutions on the function to the most instances it should ever run, and "
                "throttle every API stage that routes to it (MethodSettings ThrottlingRateLimit/"
                "ThrottlingBurstLimit for REST APIs, DefaultRouteSettings for HTTP APIs, or a usage plan with "
                "Throttle for routes that require an API key). A function URL can only be limited by reserved "
                "concurrency.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
        "CSA SAS-8 Denial of Service & Financial Resource Exhaustion",
    ),
    cwe=("CWE-770",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A function anyone on the internet can trigger, with nothing that caps how often it runs.

    Without reserved concurrency, the function scales up to the account's whole concurrency quota. Anyone who
    can send it requests can then (a) make you pay for every invocation and every downstream call it makes
    (denial of wallet), and (b) take all of the account's concurrency, so every other function in the account
    and region is throttled (denial of service).

    A function is protected when it has ``ReservedConcurrentExecutions`` (in every ``Fn::If`` branch: a branch
    with ``AWS::NoValue`` means it may be unset), or when every way in from the internet is throttled: each
    public API stage routing to it sets a rate or burst limit for all methods, or the route requires an API key
    and a usage plan of that API throttles keys. A function URL has no throttle of its own: only reserved
    concurrency protects it. Routes of private APIs are not internet entry points and are not considered. The
    account-level API Gateway throttle (shared by every API in the region) does not count.
    """
    if not an.app.is_internet_facing(fn) or always_set(fn.reserved_concurrency):
        return
    open_ways: list[str] = []
    nodes: list[NodePath] = []
    for trigger in an.app.triggers_of(fn):
        if trigger.kind is TriggerKind.FUNCTION_URL:
            open_ways.append("its function URL")
            nodes.append(trigger.node)
    for api, route in an.app.routes_of(fn):
        if api.private or _stage_throttled(api) or _plan_throttled(api, route, an):
            continue
        open_ways.append(f"{route.key} on {api.display}")
        nodes.append(route.node)
    if not open_ways:
        return
    concurrency = ("reserved concurrency that one branch of a condition removes (AWS::NoValue)"
                   if fn.reserved_concurrency is not None else "no reserved concurrency")
    node = fn.at("ReservedConcurrentExecutions") if fn.reserved_concurrency is not None else fn.node
    yield Hit(
        node,
        f"{fn.display} is reachable from the internet through {names(open_ways)} with {concurrency} and no "
        f"throttling: anyone can drive it to the account's concurrency limit, running up the bill and starving "
        f"every other function in the account.",
        fn.resource,
        related=tuple(dict.fromkeys(nodes)),
    )
