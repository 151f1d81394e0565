"""RMT-DRIFT-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.live.join import drift
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
    remediation="Remove the change from the account (delete the function URL, detach the policy, restore the "
                "bucket policy) or, if it is intended, write it into the template so it is reviewed and "
                "deployed like the rest.",
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A live account scanned with the templates that deployed it (``remit scan --aws path/to/repo``, or a
    snapshot and a repository scanned together): a deployed resource whose ``aws:cloudformation:logical-id``
    tag names exactly one template resource of its type is compared with it, and a difference that matters to
    security is reported at the template line:

    * a function URL with ``AuthType NONE`` on the function (or one of its aliases) that the template does not
      declare;
    * a managed policy attached to a role, user or group that the template does not attach;
    * a bucket-policy statement that allows what the template's bucket policy does not.

    Differences that narrow access, and resources the templates do not hold at all, are not drift here. The
    deployed resource's own findings are moved to the same template line.
    """
    for fact in drift(an.app):
        yield Hit(fact.template.node, fact.message, fact.template, evidence=fact.evidence,
                  related=(fact.deployed.node,), details=(("drift", fact.kind),))
