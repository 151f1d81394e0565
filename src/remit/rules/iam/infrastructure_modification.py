"""RMT-IAM-034."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.actions import AccessLevel, action_info
from remit.rules.base import Hit, rule
from remit.rules.iam._effective import (
    escalation_actions,
    principal_hit,
    principals,
    reaches,
)
from remit.rules.iam.credential_exposure import CREDENTIAL_ACTIONS
from remit.rules.iam.resource_exposure import EXPOSURE_ACTIONS

#: Services that run, route, deploy or audit the application: writing to them changes its infrastructure.
INFRASTRUCTURE = frozenset({
    "lambda", "ec2", "ecs", "eks", "ecr", "cloudformation", "states", "apigateway", "execute-api", "events",
    "scheduler", "rds", "route53", "elasticloadbalancing", "autoscaling", "cloudfront", "codebuild",
    "codepipeline", "codedeploy", "cloudtrail", "config", "cognito-idp", "appsync",
})

#: Write actions of those services that use the infrastructure rather than change it (any ``Invoke*`` too).
USES = frozenset({"events:putevents", "states:startexecution", "states:startsyncexecution",
                  "states:sendtasksuccess", "states:sendtaskfailure", "states:sendtaskheartbeat",
                  "execute-api:manageconnections", "lambda:checkpointdurableexecution"})

#: What the Lambda service needs for a function in a VPC; AWS's own AWSLambdaVPCAccessExecutionRole grants these
#: on every resource, and the network interfaces they manage are the function's own.
LAMBDA_VPC = frozenset({"ec2:createnetworkinterface", "ec2:deletenetworkinterface",
                        "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses"})


def _modifies(action: str) -> bool:
    if action.strip().partition(":")[0].lower() not in INFRASTRUCTURE:
        return False  # first: an administrator's other 20,000 actions need no service file read
    info = action_info(action)
    if info is None or info.service not in INFRASTRUCTURE or not info.supports_resource_level:
        return False
    low = action.lower()
    if low in USES or low in LAMBDA_VPC or low.partition(":")[2].startswith("invoke"):
        return False
    # tagging (ec2:CreateTags, lambda:TagResource) changes labels, not what runs or where requests go
    return AccessLevel.WRITE in info.levels and AccessLevel.TAGGING not in info.levels


@rule(
    id="RMT-IAM-034",
    title="Principal can modify infrastructure on every resource",
    severity=Severity.MEDIUM,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can reconfigure, re-route or delete infrastructure across the account: "
            "other functions' settings, event rules, API routes, stacks, databases and audit trails."),
    remediation="Keep deployment and operations permissions out of workload roles (the pipeline's role deploys); "
                "where a function must change infrastructure, list the actions it calls and scope them to the "
                "resources it manages (arn:aws:lambda:<region>:<account>:function:<prefix>-*).",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group may, on every resource, perform write actions of the services that run, route,
    deploy or audit an application: Lambda (``UpdateFunctionConfiguration``, ``DeleteFunction``), EC2, ECS,
    EKS, ECR, CloudFormation, Step Functions, API Gateway, EventBridge (rules and targets), RDS, Route 53,
    load balancing, CloudFront, the code services and CloudTrail/Config.

    An attacker who runs code as the principal can then change other functions' settings, re-route events and
    API calls, delete stacks, databases or trails. Invoking (``lambda:InvokeFunction``, ``events:PutEvents``,
    ``states:StartExecution``, ``execute-api:ManageConnections``) uses infrastructure and is not counted, nor
    are the network-interface actions the Lambda service needs for a function in a VPC
    (``ec2:CreateNetworkInterface``, ``ec2:DeleteNetworkInterface``...; AWS's ``AWSLambdaVPCAccessExecutionRole``
    grants them on ``*``), nor tagging actions (``ec2:CreateTags``, ``lambda:TagResource``: labels, not what runs);
    actions with no resource-level
    permission (``ec2:CreateTags``-style calls that take ``*`` only) are not counted, since ``Resource: "*"`` is
    their only form. Policy-writing and credential actions are RMT-IAM-033's and RMT-IAM-032's, and actions
    that complete an escalation method the principal has (``lambda:UpdateFunctionCode`` on other functions,
    ``lambda:CreateFunction`` with ``iam:PassRole``) are left to RMT-IAM-020..023.

    "Every resource" is judged by the IAM engine on the principal's combined policies, after explicit Deny and
    the permissions boundary. One finding per principal, listing the actions and every granting statement;
    conditional grants one level lower (low); an administrator is RMT-IAM-001's.
    """
    others = {a.lower() for a in (*CREDENTIAL_ACTIONS, *EXPOSURE_ACTIONS)}
    for principal in principals(an):
        if an.effective.admin_statements(principal):
            continue
        granted = an.iam.granted(principal)  # lower-case action -> Grant, made only for the few candidates
        candidates = [granted[low].action for low in granted if low not in others and _modifies(low)]
        if not candidates:
            continue
        found = reaches(an, principal, candidates, skip=escalation_actions(an, principal))
        if found:
            yield principal_hit(an, principal, found, what="modify infrastructure on every resource",
                                why="can reconfigure, re-route or delete parts of the "
                                    "account's infrastructure.",
                                severity=Severity.MEDIUM, evidence="infrastructure-modification")
