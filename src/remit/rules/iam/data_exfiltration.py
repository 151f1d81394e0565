"""RMT-IAM-031."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule
from remit.rules.iam._effective import principal_hit, principals, reaches

#: Actions that read stored data, per kind of store (facts: the actions AWS documents for reading each store).
READ_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "objects of every S3 bucket": ("s3:GetObject", "s3:GetObjectVersion"),
    "every Secrets Manager secret": ("secretsmanager:GetSecretValue",),
    "every SSM parameter": ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
                            "ssm:GetParameterHistory"),
    "data encrypted under every KMS key": ("kms:Decrypt",),
    "every DynamoDB table": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
                             "dynamodb:PartiQLSelect", "dynamodb:ExportTableToPointInTime"),
}


@rule(
    id="RMT-IAM-031",
    title="Principal can read data in every bucket, table, secret, parameter or key",
    severity=Severity.HIGH,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal (an injection, a compromised dependency, leaked temporary credentials) "
            "can read every bucket, table, secret, parameter or key of its kind in the account, including data the "
            "application never touches."),
    remediation="Scope the read actions to the buckets, tables, secrets, parameters and keys the principal uses "
                "(for a function: the ones its code names, e.g. !GetAtt OrdersTable.Arn, "
                "${ReportsBucket.Arn}/*, a parameter path prefix), or use SAM policy templates with those names.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250", "CWE-732"),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group may read stored data on every resource of its kind: objects of every S3 bucket
    (``s3:GetObject``), every Secrets Manager secret (``secretsmanager:GetSecretValue``), every SSM parameter
    (``ssm:GetParameter*``), every KMS key (``kms:Decrypt``) or every DynamoDB table (``GetItem``, ``Query``,
    ``Scan``...).

    Whoever runs code as the principal (an injection, a compromised dependency, leaked temporary credentials)
    can then read data the application never touches: other applications' buckets, tables and secrets in the
    account. "Every resource" is judged by the IAM engine on the principal's combined policies: the action
    must be allowed on a resource the template does not define, after explicit Deny and the permissions
    boundary. ``Resource: "*"``, ``arn:aws:s3:::*/*``, ``NotResource`` and ``Action: s3:*`` count; a grant
    scoped to the template's own resources or to a name prefix does not, nor does a Deny that cancels it.

    One finding per principal, at its first granting statement, listing the actions and every granting
    statement (file:line, also the code flow). A grant that holds only under a condition is reported one
    level lower (medium), with the condition. Statements of SAM policy templates given ``*`` names are left to
    RMT-IAM-036, the AWS managed Lambda execution-role policies do not count, and a principal RMT-IAM-001
    reports as an administrator gets no finding here.
    """
    for principal in principals(an):
        if an.effective.admin_statements(principal):
            continue
        found = reaches(an, principal, [a for group in READ_ACTIONS.values() for a in group])
        if not found:
            continue
        kinds = [k for k, acts in READ_ACTIONS.items() if any(r.action in acts for r in found)]
        yield principal_hit(an, principal, found, what="read " + ", ".join(kinds),
                            why="can copy data the application does not need.",
                            severity=Severity.HIGH, evidence="data-exfiltration")
