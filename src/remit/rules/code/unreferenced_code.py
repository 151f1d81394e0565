"""RMT-CODE-016."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules._packages import owner as _owner
from remit.rules.base import Hit, rule


@rule(
    id="RMT-CODE-016",
    title="Handler code that no function references",
    severity=Severity.LOW,
    category=Category.OBSOLETE,
    responsibility=Responsibility.CODE,
    scope=None,
    impact=("Forgotten handlers still ship in the package and may still be deployed by another stack; nobody reviews "
            "or patches them, so their flaws stay open as an entry point nobody watches."),
    remediation="Delete the file if nothing uses it; if it is deployed some other way, scan that template too. "
                "Unowned handlers are not patched, yet they may still be deployed or shipped in a package.",
    references=(
        "CSA SAS-11 Obsolete Functions, Cloud Resources and Event Triggers",
        "https://cwe.mitre.org/data/definitions/561.html",
    ),
    cwe=("CWE-561",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A file defines a Lambda handler, but no function of the scanned templates uses it.

    remit lists Python files with a ``def handler(event, context)``-like entry point and JavaScript /
    TypeScript files exporting ``handler`` that are neither a function's handler file nor imported by one.
    Such code is often an old version left in the package (it still ships in the ``CodeUri`` directory and
    may still be deployed by a forgotten stack), or a function whose template is elsewhere. Test files and
    dependency directories are ignored, and so is code whose deployer remit cannot see: a CDK app scanned
    without its ``cdk.out``, a Pulumi project, a container image function's ``DockerContext``, and a file that
    matches the handler of a function whose package is an S3 object remit could not follow to a directory.
    Reported once per file, on the function that ships it (or, when none does, the function whose code
    directory is nearest).
    """
    if not an.app.functions:
        return
    for location in an.code.unreferenced:
        owner, ships = _owner(an, location.path)
        where = f"ships in {owner.display}'s package, but its handler does not import it" if ships else \
            "is in no function's package"
        yield Hit(owner.node, f"{location.path} defines a Lambda handler that no function references: it {where}. "
                              f"It may be dead code.", owner.resource, evidence=location.path, at=location)

