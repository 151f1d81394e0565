"""RMT-LAMBDA-012."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.reach import Reach, exposure_of, lambda_statements
from remit.model.entities import LambdaPermission
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.lambda_._common import short


@rule(
    id="RMT-LAMBDA-012",
    title="Lambda permission lets another AWS account call the function",
    severity=Severity.LOW,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=LambdaPermission,
    impact=("Every principal the other account allows, including a role or function compromised there, can invoke "
            "your function with events they write (with wider actions, read its code): your function is as safe as "
            "that account."),
    remediation="Keep cross-account permissions to the accounts that must call the function, name the calling "
                "role rather than the whole account where you can (Principal: arn:aws:iam::<account>:role/<name>), "
                "and add PrincipalOrgID when the caller is in your organization. Use !Ref AWS::AccountId for your "
                "own account instead of a literal id.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-cross-account.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284",),
)
def check(permission: LambdaPermission, an: Analysis) -> Iterator[Hit]:
    """An ``AWS::Lambda::Permission`` names another AWS account (a literal account id or
    ``arn:aws:iam::<account>:root``) as principal.

    Every principal of that account that its own administrators allow — any role, any user, any function
    compromised there — can then call the granted action on your function: invoke it with an event they write
    (the function runs with its own role), and with ``lambda:*`` or ``lambda:GetFunction`` download its code.
    A cross-account grant is often intended (a partner, a central account); the finding puts it on record so
    it is reviewed, and is low severity. The IAM evaluator judges the permission as a resource-policy statement
    (``SourceArn``, ``SourceAccount`` and ``PrincipalOrgID`` as conditions) and reports it when its widest reach
    is a named account; the message names the conditions that apply.

    Not reported: ``!Ref AWS::AccountId`` (the stack's own account), service principals (RMT-LAMBDA-004),
    ``Principal: "*"`` (RMT-LAMBDA-003) and function URL permissions (RMT-LAMBDA-001). A literal id that is
    in fact the deploying account is reported too: remit cannot know it offline; use ``!Ref AWS::AccountId``.
    """
    if permission.for_function_url:
        return
    verdict = exposure_of(permission, lambda_statements((permission,)))
    if verdict.reach is not Reach.CROSS_ACCOUNT:
        return
    fn = an.app.function(permission.function_id)
    target = fn.display if fn else render(permission.function_ref)
    action = short(permission.action)
    accounts = ", ".join(verdict.accounts)
    narrowed = f" only when {'; '.join(verdict.conditions)}" if verdict.conditions else ""
    invoke = "invoke" in action.lower() or "*" in action
    impact = ("invoke the function with events it writes" if invoke else
              f"call {action} on it (GetFunction hands out a link to the code)" if "getfunction" in action.lower()
              else f"call {action} on it")
    yield Hit(
        permission.at("Principal"),
        f"Permission {permission.display} lets AWS account {accounts} call {action} on {target}{narrowed}: any "
        f"principal that account allows can {impact}.",
        permission.resource,
        evidence=f"{accounts}|{action}",
        details=(("reach", str(verdict.reach)), ("accounts", accounts)),
    )
