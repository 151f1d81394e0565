"""Which AWS service principals run the customer's code with a role the app defines.

A role only such services may assume is a workload's identity: its code (or whoever controls the workload) acts
with it. A role only *other* services may assume (AWS Batch's or Config's service role, a delivery role of API
Gateway) is used by AWS itself to do that service's work; nothing of the app runs as it.
"""

from __future__ import annotations

from remit.model.application import Application
from remit.model.entities import Role
from remit.model.policy import Policy, PolicyDocument, PolicyKind
from remit.model.values import text

#: Service principals whose workloads run the customer's code (or instructions) with the role.
RUNS_CODE = frozenset({
    "lambda.amazonaws.com", "edgelambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
    "codebuild.amazonaws.com", "glue.amazonaws.com", "sagemaker.amazonaws.com", "states.amazonaws.com",
    "elasticmapreduce.amazonaws.com", "databrew.amazonaws.com", "tasks.apprunner.amazonaws.com",
    "pods.eks.amazonaws.com", "build.apprunner.amazonaws.com", "datapipeline.amazonaws.com",
})


def service_only(role: Role) -> bool:
    """Whether only AWS services that run none of the customer's code may assume ``role`` (every Allow of its
    trust names such services and nothing else; an unknown trust is not)."""
    if not isinstance(role.trust, PolicyDocument):
        return False
    allows = [st for st in role.trust.statements if st.allows]
    if not allows:
        return False
    for st in allows:
        if st.not_principal or not st.principals:
            return False
        for principal in st.principals:
            name = (text(principal.value) or "").lower()
            if principal.kind != "Service" or not name or name in RUNS_CODE:
                return False
    return True


def service_role_policy(app: Application, policy: Policy | None) -> bool:
    """An AWS managed ``service-role/`` policy attached only to roles that only non-code services may assume:
    the permissions AWS prescribes for its own service's work, which the app cannot narrow and nothing of the
    app acts with (AWSBatchServiceRole on a role Batch assumes)."""
    if policy is None or policy.kind is not PolicyKind.AWS_MANAGED or "policy/service-role/" not in (policy.arn or ""):
        return False
    roles = [app.role(rid) for rid in policy.attached_to]
    return bool(roles) and all(role is not None and service_only(role) for role in roles)
