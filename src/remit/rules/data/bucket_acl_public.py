"""RMT-S3-002."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Bucket
from remit.model.values import Value, present_options, text, texts
from remit.rules.base import Hit, rule

_PUBLIC = {
    "PublicReadWrite": (Severity.CRITICAL, "anyone on the internet can list, read, upload, overwrite and delete "
                                           "objects"),
    "PublicRead": (Severity.HIGH, "anyone on the internet can list and read every object"),
    "AuthenticatedRead": (Severity.HIGH, "anyone with any AWS account can list and read every object"),
}
_ACL_OWNERSHIP = ("ObjectWriter", "BucketOwnerPreferred")


@rule(
    id="RMT-S3-002",
    title="Bucket ACL grants public access",
    severity=Severity.HIGH,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Bucket,
    impact=("Anyone can list the bucket's objects, whose names often reveal what it holds; with `PublicReadWrite` "
            "anyone can also upload, overwrite and delete objects. `AuthenticatedRead` means any AWS account, which "
            "anyone can open."),
    remediation="Remove AccessControl (or set it to Private) and set OwnershipControls ObjectOwnership to "
                "BucketOwnerEnforced, which disables ACLs. Grant access with a bucket policy that names the "
                "principals, and serve public content through CloudFront with an origin access control.",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284", "CWE-732"),
)
def check(bucket: Bucket, an: Analysis) -> Iterator[Hit]:
    """A bucket's ``AccessControl`` is a canned ACL that grants access to everyone: ``PublicRead`` (anyone
    lists and reads the objects), ``PublicReadWrite`` (anyone also uploads, overwrites and deletes: critical) or
    ``AuthenticatedRead`` (anyone with an AWS account, which is anyone).

    ACLs only apply when the bucket's Object Ownership allows them (``ObjectWriter`` or
    ``BucketOwnerPreferred``). With ``BucketOwnerEnforced`` ACLs are disabled: S3 refuses to set any ACL other
    than the owner's, so the public ACL cannot take effect and the rule stays silent. The same holds when the
    bucket's Block Public Access sets ``BlockPublicAcls`` (S3 refuses a public ACL) or ``IgnorePublicAcls``
    (S3 ignores it) to true. When ``OwnershipControls`` is not written, the finding is still reported: buckets
    created since April 2023 default to ``BucketOwnerEnforced`` (the deployment then fails on the ACL), but a
    bucket created before that has ACLs enabled and this grant applies to it. An ACL or ownership chosen by
    ``Fn::If`` is reported when any branch of the ACL is public, and silenced only when every branch of the
    ownership or block setting disables it.
    """
    if bucket.acl is None:
        return
    public = [v for v in texts(bucket.acl) if v in _PUBLIC]
    if not public:
        return
    if _always(bucket.ownership, lambda t: t == "BucketOwnerEnforced"):
        return
    if bucket.blocks("IgnorePublicAcls", "BlockPublicAcls"):
        return
    worst = max(public, key=lambda v: _PUBLIC[v][0].rank)
    severity, gain = _PUBLIC[worst]
    ownership = [t for t in texts(bucket.ownership) if t] if bucket.ownership is not None else []
    if any(t in _ACL_OWNERSHIP for t in ownership):
        state = f"ObjectOwnership {'/'.join(sorted(set(ownership)))} keeps ACLs enabled"
    else:
        state = ("ObjectOwnership is not set: a bucket created before April 2023 has ACLs enabled and honours this "
                 "grant (a new one defaults to BucketOwnerEnforced and rejects it)")
    conditional = " in one branch of a condition" if len(texts(bucket.acl)) > 1 else ""
    message = (f"Bucket {bucket.display} has AccessControl {worst}{conditional}: {gain}. {state}.")
    yield Hit(bucket.at("AccessControl"), message, bucket.resource, evidence=f"AccessControl {worst}",
              severity=severity)


def _always(value: Value | None, test: Callable[[str], bool]) -> bool:
    """Every branch of ``value`` is a known text passing ``test``."""
    if value is None:
        return False
    branches = [text(v) for v in present_options(value)]
    return bool(branches) and all(b is not None and test(b) for b in branches)
