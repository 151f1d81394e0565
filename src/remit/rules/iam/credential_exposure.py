"""RMT-IAM-032."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule
from remit.rules.iam._effective import (
    escalation_actions,
    principal_hit,
    principals,
    reaches,
)

#: Actions whose response is (or sets) a credential for someone or something else.
CREDENTIAL_ACTIONS: tuple[str, ...] = (
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "sts:GetFederationToken",
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "rds-db:connect",
    "ec2-instance-connect:SendSSHPublicKey",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "gamelift:RequestUploadCredentials",
    "codepipeline:PollForJobs",
)


@rule(
    id="RMT-IAM-032",
    title="Principal can obtain credentials for other identities or databases on every resource",
    severity=Severity.HIGH,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can mint credentials (access keys, console passwords, database passwords, "
            "SSH keys) that outlive the compromise and keep the attacker in after the function is fixed."),
    remediation="Remove the credential actions, or scope them to the one user, database user or instance the "
                "principal must serve (arn:aws:rds-db:<region>:<account>:dbuser:<db-resource-id>/<name>, "
                "arn:aws:redshift:...:dbuser:<cluster>/<name>); prefer IAM roles over access keys.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html",
        "https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-iam-access-control-identity-based.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250", "CWE-522"),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group may, on every resource, call an action whose answer is a credential: new or
    reactivated access keys and console passwords for any IAM user (``iam:CreateAccessKey``,
    ``iam:UpdateAccessKey``, ``iam:CreateLoginProfile``), federation tokens (``sts:GetFederationToken``),
    temporary database passwords (``redshift:GetClusterCredentials``, ``redshift-serverless:GetCredentials``,
    ``rds-db:connect`` as any database user), SSH keys pushed to any instance
    (``ec2-instance-connect:SendSSHPublicKey``) and the like. ``ec2:GetPasswordData`` is not one: its answer is
    encrypted for the instance's key pair, useless without its private key; nor is ``connect:GetFederationToken``,
    which answers only for the caller's own Amazon Connect user.

    Credentials outlive the compromise: an attacker who runs code as the principal once can mint keys or
    database passwords and keep them. Actions with no resource-level permission are left out because the
    resource says nothing about their reach: ``ecr:GetAuthorizationToken`` (``Resource: "*"`` is its only
    form, and the token carries only the caller's own ECR permissions) and ``sts:GetSessionToken`` (the
    caller's own identity) are not reported.

    "Every resource" is judged by the IAM engine on the principal's combined policies, after explicit Deny and
    the permissions boundary; a grant scoped to named users, database users or instances does not count.
    Actions that are part of an escalation method the principal has (``iam:CreateAccessKey`` for other users,
    reported by RMT-IAM-021) are left to the privilege-escalation rules. One finding per principal, listing the
    actions and every granting statement; conditional grants one level lower; an administrator is RMT-IAM-001's.
    """
    for principal in principals(an):
        if an.effective.admin_statements(principal):
            continue
        found = reaches(an, principal, CREDENTIAL_ACTIONS, skip=escalation_actions(an, principal))
        if found:
            yield principal_hit(an, principal, found, what="obtain credentials on every resource",
                                why="can mint credentials that keep working after the "
                                    "function is fixed.",
                                severity=Severity.HIGH, evidence="credential-exposure")
