"""RMT-LAMBDA-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import LambdaPermission
from remit.model.values import render, texts
from remit.rules.base import Hit, rule
from remit.rules.lambda_._common import always_set, short


@rule(
    id="RMT-LAMBDA-003",
    title="Lambda permission grants access to everyone",
    severity=Severity.CRITICAL,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=LambdaPermission,
    impact=("Anyone with an AWS account can call the granted action from their own account: invoke the function with "
            "events they write, as often as they like, billed to you and run with the function's role (with wider "
            "actions, also download its code)."),
    remediation="Replace Principal '*' with the AWS account id, account ARN or service principal that must call "
                "the function, and scope it with SourceArn (the calling resource) and SourceAccount, or with "
                "PrincipalOrgID for callers across your organization.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-cross-account.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284", "CWE-732"),
)
def check(permission: LambdaPermission, an: Analysis) -> Iterator[Hit]:
    """An ``AWS::Lambda::Permission`` with ``Principal: "*"`` and no ``SourceArn``, ``SourceAccount`` or
    ``PrincipalOrgID`` adds a statement to the function's resource policy that any AWS account may use.

    Anyone with AWS credentials — from their own account — can then call the granted action on the function
    (usually ``lambda:InvokeFunction``): run it with an event they write, as often as they like, billed to you,
    with the function role's permissions doing the work. Granting ``lambda:*`` or ``lambda:GetFunction`` this way
    also lets them download the code and read the configuration.

    Not reported here: the public permissions a function URL with ``AuthType: NONE`` needs (SAM adds them for
    ``FunctionUrlConfig``; they carry ``FunctionUrlAuthType`` or ``InvokedViaFunctionUrl``): RMT-LAMBDA-001 reports
    the URL. A principal that is an account id or account ARN is a cross-account grant, not a public one. A
    ``Principal`` chosen by ``Fn::If`` is reported when any branch is ``*``; a restricting property counts only
    when no branch removes it (``AWS::NoValue``).
    """
    if permission.for_function_url:
        return
    principals = texts(permission.principal)
    if "*" not in principals:
        return
    if any(always_set(v) for v in (permission.source_arn, permission.source_account, permission.principal_org_id)):
        return
    fn = an.app.function(permission.function_id)
    target = fn.display if fn else render(permission.function_ref)
    action = short(permission.action)
    conditional = " in one branch of a condition" if len(principals) > 1 else ""
    written = [v for v in (permission.source_arn, permission.source_account, permission.principal_org_id)
               if v is not None]
    missing = ("a SourceArn/SourceAccount/PrincipalOrgID that one branch of a condition removes" if written
               else "no SourceArn, SourceAccount or PrincipalOrgID")
    invoke = "invoke" in action.lower() or "*" in action
    impact = ("any AWS account can invoke the function with an event it chooses, billed to you and running with "
              "the function's role" if invoke else f"any AWS account can call {action} on the function")
    yield Hit(
        permission.at("Principal"),
        f"Permission {permission.display} grants {action} on {target} to Principal '*'{conditional} with "
        f"{missing}: {impact}.",
        permission.resource,
        evidence=action,
    )
