"""RMT-LAMBDA-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import FunctionUrl
from remit.model.values import items
from remit.rules._cors import REFERENCES, judge
from remit.rules.base import Hit, rule


@rule(
    id="RMT-LAMBDA-002",
    title="Function URL CORS allows any origin with credentials or state-changing methods",
    severity=Severity.MEDIUM,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=FunctionUrl,
    impact=("Any web site a visitor opens can call the function URL from the visitor's browser and read the answer: "
            "with credentials allowed it acts with the visitor's cookies or authorization header; with "
            "state-changing methods it changes data in the visitor's name."),
    remediation="List the exact origins of your web front end in the function URL's Cors.AllowOrigins; never "
                "combine \"*\" with AllowCredentials: true; allow only the methods the browser needs (often GET). "
                "A URL called only by servers or webhooks needs no Cors block at all.",
    references=(*REFERENCES, "https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html"),
    cwe=("CWE-942",),
)
def check(url: FunctionUrl, an: Analysis) -> Iterator[Hit]:
    """A function URL's CORS configuration lets every web origin call it from a browser with credentials
    (high), or with state-changing methods (medium).

    CORS decides which other web sites' scripts may call the URL from a visitor's browser and read the answer.
    ``AllowOrigins: ["*"]`` with ``AllowCredentials: true`` turns every web page into a client acting with the
    visitor's cookies or authorization header; ``"*"`` with ``POST``/``PUT``/``PATCH``/``DELETE`` (or ``"*"``
    methods) lets any page make the visitor's browser change data through the function and read the result.
    ``*``, ``null`` and scheme-wide wildcards count as any origin.

    Read from ``FunctionUrlConfig.Cors`` (SAM) or ``AWS::Lambda::Url`` ``Cors``. Not reported: a list of
    explicit origins, or any origin with read-only methods and no credentials. Under ``Fn::If`` any branch
    counts. Whether the URL needs authentication at all is RMT-LAMBDA-001's question.
    """
    cors = url.cors
    if cors is None:
        return
    problem = judge(items(cors.get("AllowOrigins")), cors.get("AllowCredentials"), items(cors.get("AllowMethods")))
    if problem is None:
        return
    fn = an.app.function(url.function_id)
    name = fn.display if fn else url.display
    yield Hit(url.at("Cors", "AllowOrigins"), f"The function URL of {name} {problem.explanation}.", url.resource,
              evidence=problem.evidence, severity=problem.severity)
