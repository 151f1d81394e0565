"""RMT-LAMBDA-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import FunctionUrl
from remit.model.values import render, texts
from remit.rules.base import Hit, rule


@rule(
    id="RMT-LAMBDA-001",
    title="Function URL accepts unauthenticated requests",
    severity=Severity.HIGH,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=FunctionUrl,
    impact=("Anyone on the internet can invoke the function with a request they write, with no authorizer, API key, "
            "WAF or throttling in front of it: every flaw of the handler is directly reachable, and every call is "
            "billed to you."),
    remediation="Set the function URL's AuthType to AWS_IAM and sign requests, or put the function behind an API "
                "with an authorizer. If the URL must be public (a webhook), verify a signature in the handler and "
                "suppress this finding with the reason.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        "CSA SAS-2 Broken Authentication, SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-306",),
)
def check(url: FunctionUrl, an: Analysis) -> Iterator[Hit]:
    """A function URL with ``AuthType: NONE`` is an HTTPS endpoint anyone on the internet can call.

    The URL bypasses API Gateway entirely: no authorizer, no API key, no WAF, no throttling beyond the
    function's own concurrency. Every request body, header and query string reaches the handler as
    attacker-controlled event data, and every call is billed to the account. SAM's ``FunctionUrlConfig`` with
    ``AuthType: NONE`` also adds resource-policy statements granting ``lambda:InvokeFunctionUrl`` (and
    ``lambda:InvokeFunction`` via the URL) to ``*``; remit reports the exposure once, here.

    An ``AuthType`` chosen by ``Fn::If`` is reported when any branch is ``NONE``.
    """
    values = texts(url.auth_type)
    if "NONE" not in values:
        return
    fn = an.app.function(url.function_id)
    name = fn.display if fn else render(url.target)
    conditional = len(values) > 1
    message = (f"The function URL of {name} has AuthType NONE"
               f"{' in one branch of a condition' if conditional else ''}: anyone on the internet can invoke "
               f"the function with a request they control.")
    yield Hit(url.at("AuthType"), message, url.resource, evidence="AuthType NONE")
