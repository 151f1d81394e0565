"""RMT-DRIFT-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule


@rule(
    id="RMT-DRIFT-001",
    title="Deployed resource is less protected than its template",
    severity=Severity.HIGH,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=None,
    impact=("What runs in the account is not what was reviewed: a console edit, a hand-attached policy or an "
            "incident fix opened access the repository does not show, and the next deployment may or may not "
            "undo it."),
    remediation="Remove the change from the account (delete the function URL or the permission, detach or "
                "restore the policy, restore the trust policy, the route's authorizer, the runtime or the public "
                "access block) or, if it is intended, write it into the template so it is reviewed and deployed "
                "like the rest.",
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A live account scanned with the templates that deployed it (``remit scan --aws path/to/repo``, or a
    snapshot and a repository scanned together): a deployed resource whose ``aws:cloudformation:logical-id``
    tag names exactly one template resource of its type is compared with it (a resource that cannot carry the
    tag, such as a function URL or a queue policy, through the tagged resource it belongs to), and a
    difference that widens access is reported at the template line:

    * a function URL with ``AuthType NONE`` on the function (or one of its aliases) that the template does not
      declare;
    * a statement of the function's resource policy letting anyone or another account call
      ``lambda:InvokeFunction`` that no template permission made;
    * a managed policy attached to a role, user or group that the template does not attach;
    * an inline policy statement that no statement of the template's policies for that principal covers
      (an action or a ``Resource: "*"`` added by hand);
    * a principal in a role's trust policy that the template's trust policy does not name;
    * an API route that takes calls without authorization where the template's route requires some;
    * environment variables the template does not set, and a deprecated runtime the template does not name;
    * a public access block setting switched off on a bucket whose template leaves it on (or unset: S3 turns
      all four on for new buckets);
    * a resource-policy statement (bucket, queue, topic, secret, bus...) that allows what the template's
      policy does not.

    Differences that narrow access, and resources the templates do not hold at all, are not drift here. The
    deployed resource's own findings are moved to the same template line.
    """
    for fact in an.live.drift:
        yield Hit(fact.template.node, fact.message, fact.template, evidence=fact.evidence,
                  related=(fact.deployed.node,), details=(("drift", fact.kind),))
