"""RMT-S3-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Bucket
from remit.model.values import present_options, truthy
from remit.rules.base import Hit, rule

_FLAGS = {
    "BlockPublicAcls": "public ACLs can be set",
    "IgnorePublicAcls": "public ACLs are honoured",
    "BlockPublicPolicy": "a public bucket policy can be attached",
    "RestrictPublicBuckets": "a public bucket policy takes effect for anyone",
}


@rule(
    id="RMT-S3-003",
    title="Bucket Block Public Access explicitly disabled",
    severity=Severity.MEDIUM,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=Bucket,
    impact=("The safety net is off: the next public bucket policy or ACL, a teammate's mistake or the work of an "
            "attacker holding `s3:PutBucketPolicy`, publishes the bucket's data with nothing at the bucket to refuse "
            "it."),
    remediation="Set all four PublicAccessBlockConfiguration flags to true (or remove the configuration: new "
                "buckets block public access by default). If the bucket must serve public content, put CloudFront "
                "with an origin access control in front of it instead of opening the bucket.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-publicaccessblockconfiguration.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-732",),
)
def check(bucket: Bucket, an: Analysis) -> Iterator[Hit]:
    """A bucket's ``PublicAccessBlockConfiguration`` sets one of its four flags (``BlockPublicAcls``,
    ``IgnorePublicAcls``, ``BlockPublicPolicy``, ``RestrictPublicBuckets``) to false.

    Block Public Access is the safety net that keeps a mistaken bucket policy or ACL from publishing the
    bucket. Turning a flag off removes it: the next ``Principal: "*"`` statement or public ACL (written by a
    teammate, a deployment script, or an attacker who obtained ``s3:PutBucketPolicy``) makes the data
    readable by anyone. Whether the bucket is public *now* is RMT-S3-001 and RMT-S3-002's question; this rule
    reports the missing net.

    A bucket without ``PublicAccessBlockConfiguration`` is not reported: since April 2023 S3 enables all four
    flags on new buckets by default. A flag left out of a written configuration is stored as false by S3; it is
    named in the message of a finding but does not raise one on its own. A flag chosen by ``Fn::If`` is reported
    when any branch is false. Account-level Block Public Access, which the template cannot show, still applies.
    """
    pab = bucket.public_access_block
    if pab is None:
        return
    disabled: list[str] = []
    conditional = False
    for flag, value in pab.items():
        branches = [truthy(v) for v in present_options(value)]
        if flag in _FLAGS and False in branches:
            disabled.append(flag)
            conditional = conditional or len(branches) > 1
    if not disabled:
        return
    omitted = [f for f in _FLAGS if f not in pab]
    effects = "; ".join(_FLAGS[f] for f in disabled)
    also = f" ({', '.join(omitted)} left out, which S3 also stores as false)" if omitted else ""
    when = " in one branch of a condition" if conditional else ""
    message = (f"Bucket {bucket.display} turns off Block Public Access: {', '.join(disabled)} set to false"
               f"{when}{also}. {effects[0].upper()}{effects[1:]}, so one public policy statement or ACL is enough to "
               f"expose its data.")
    yield Hit(bucket.at("PublicAccessBlockConfiguration", disabled[0]), message, bucket.resource,
              evidence=",".join(sorted(disabled)))
