"""RMT-IAM-033."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule
from remit.rules.iam._effective import principal_hit, principals, reaches

#: Actions that change who may use a resource: its resource policy, ACL, grants or sharing.
EXPOSURE_ACTIONS: tuple[str, ...] = (
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutAccessPointPolicy",
    "lambda:AddPermission",
    "lambda:AddLayerVersionPermission",
    "lambda:CreateFunctionUrlConfig",
    "lambda:UpdateFunctionUrlConfig",
    "sqs:SetQueueAttributes",
    "sqs:AddPermission",
    "sns:SetTopicAttributes",
    "sns:AddPermission",
    "secretsmanager:PutResourcePolicy",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "ecr:SetRepositoryPolicy",
    "apigateway:UpdateRestApiPolicy",
    "glacier:SetVaultAccessPolicy",
    "dynamodb:PutResourcePolicy",
    "kinesis:PutResourcePolicy",
    "backup:PutBackupVaultAccessPolicy",
    "elasticfilesystem:PutFileSystemPolicy",
    "ec2:ModifySnapshotAttribute",
    "ec2:ModifyImageAttribute",
    "rds:ModifyDBSnapshotAttribute",
    "rds:ModifyDBClusterSnapshotAttribute",
)


@rule(
    id="RMT-IAM-033",
    title="Principal can rewrite resource policies on every resource",
    severity=Severity.HIGH,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("With one call, code running as the principal opens any bucket, queue, topic, secret, key or function to "
            "the internet or to an account of the attacker's, and keeps that access after the function is fixed."),
    remediation="Remove policy-writing actions from workload roles (the template, not the function, should own "
                "bucket, queue, topic, key and function policies); where a principal must manage one, scope the "
                "action to that resource's ARN.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-732", "CWE-250"),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group may change who can use resources, on every resource: write bucket policies and ACLs
    (``s3:PutBucketPolicy``, ``s3:PutBucketAcl``, ``s3:PutBucketPublicAccessBlock``), add function permissions
    or public function URLs (``lambda:AddPermission``, ``lambda:CreateFunctionUrlConfig``), rewrite queue and
    topic policies (``sqs:SetQueueAttributes``, ``sns:SetTopicAttributes``), secret and key policies
    (``secretsmanager:PutResourcePolicy``, ``kms:PutKeyPolicy``, ``kms:CreateGrant``), repository and API
    policies (``ecr:SetRepositoryPolicy``, ``apigateway:UpdateRestApiPolicy``), or share snapshots and images
    (``ec2:ModifySnapshotAttribute``, ``rds:ModifyDBSnapshotAttribute``).

    With one such call an attacker who runs code as the principal opens a resource to the internet or to an
    account of theirs, and keeps access after the function is fixed. "Every resource" is judged by the IAM
    engine on the principal's combined policies, after explicit Deny and the permissions boundary; a grant
    scoped to the template's own resources does not count. ``s3:*`` on ``*`` counts (it includes
    ``s3:PutBucketPolicy``) and is also RMT-IAM-003's: that finding names the wildcard, this one the
    consequence. One finding per principal, listing the actions and every granting statement; conditional
    grants one level lower; an administrator is RMT-IAM-001's.
    """
    for principal in principals(an):
        if an.effective.admin_statements(principal):
            continue
        found = reaches(an, principal, EXPOSURE_ACTIONS)
        if found:
            yield principal_hit(an, principal, found, what="rewrite resource policies on every resource",
                                why="can open any bucket, queue, function, secret or key to "
                                    "an outside account or to the internet.",
                                severity=Severity.HIGH, evidence="resource-exposure")
