"""RMT-S3-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Bucket
from remit.rules.base import Hit, rule
from remit.rules.data._resource_policy import Grade, open_statement_hits

_WRITE = Grade(
    severity=Severity.CRITICAL,
    effects=(
        ("s3:PutObject", "upload or overwrite objects"),
        ("s3:DeleteObject", "delete objects"),
        ("s3:DeleteObjectVersion", "delete objects"),
        ("s3:PutObjectAcl", "change who may read objects"),
        ("s3:PutBucketPolicy", "take over the bucket's policy"),
        ("s3:DeleteBucketPolicy", "take over the bucket's policy"),
        ("s3:PutBucketAcl", "change who may access the bucket"),
        ("s3:DeleteBucket", "delete the bucket"),
        ("s3:PutLifecycleConfiguration", "make its objects expire"),
        ("s3:PutBucketVersioning", "suspend versioning"),
        ("s3:PutEncryptionConfiguration", "change its encryption"),
        ("s3:PutBucketPublicAccessBlock", "turn off Block Public Access"),
        ("s3:PutBucketNotification", "redirect its event notifications"),
        ("s3:PutReplicationConfiguration", "replicate its objects to a bucket of theirs"),
        ("s3:PutObjectRetention", "lock objects against your own deletes"),
    ),
)
_READ = Grade(severity=Severity.HIGH, gain="read or list what it holds")


@rule(
    id="RMT-S3-001",
    title="Bucket policy lets anyone in",
    severity=Severity.CRITICAL,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Bucket,
    impact=("Anyone can use the bucket as the statement allows, often without even signing a request: download "
            "everything it holds, upload or overwrite objects that functions and web pages later trust, delete data, "
            "or rewrite the policy."),
    remediation="Name the principals that need the bucket (an account, a role, a CloudFront origin access control "
                "with aws:SourceArn) instead of Principal \"*\", or keep \"*\" and add a condition that pins the "
                "caller: aws:SourceVpce / aws:SourceVpc for private access, aws:PrincipalOrgID for your "
                "organization. Serve public content through CloudFront rather than a public bucket, and keep Block "
                "Public Access on.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284", "CWE-732"),
)
def check(bucket: Bucket, an: Analysis) -> Iterator[Hit]:
    """A bucket policy statement allows ``Principal: "*"`` (or ``AWS: "*"``, or ``NotPrincipal``) with no
    condition that narrows who may call.

    Such a statement opens the bucket to every AWS account and, for S3, to unsigned requests from anyone on the
    internet. Reading lets an attacker download everything the bucket holds (uploads, exports, backups, build
    artifacts with embedded secrets); writing or deleting lets them plant content that a function or a website
    later trusts (a poisoned object that triggers a Lambda, a replaced script on a static site), destroy data,
    or rewrite the bucket policy itself. Write, delete and bucket-configuration actions are reported as
    critical, read and list actions as high.

    A statement is *not* reported when a condition pins the caller (``aws:SourceVpce``, ``aws:SourceVpc``,
    ``aws:PrincipalOrgID``, ``aws:SourceArn`` for a CloudFront distribution, a concrete ``aws:SourceIp``
    range...) or when a ``Deny`` for everyone refuses every request outside such a condition. ``...IfExists``
    operators do not count as narrowing (an absent key passes them), nor does ``aws:SecureTransport``. A
    statement under ``Fn::If`` is reported when any branch opens the bucket.

    The bucket's own Block Public Access decides whether such a policy can apply: with ``BlockPublicPolicy``
    true S3 refuses to attach it, with ``RestrictPublicBuckets`` true S3 limits it to AWS services and the
    bucket owner's account; either one written as true silences the rule. When the configuration is not written,
    the finding stands: buckets created since April 2023 block public policies by default (the deployment then
    fails), but an older bucket does not. Account-level Block Public Access, which the template cannot show,
    may also stop the policy; it is reported for what it asks.
    """
    if bucket.blocks("BlockPublicPolicy", "RestrictPublicBuckets"):
        return
    yield from open_statement_hits(bucket, "bucket", (_WRITE,), _READ, who="anyone on the internet, signed in or not,")
