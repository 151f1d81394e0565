"""RMT-LAMBDA-010."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.model.values import Unknown, is_known, render
from remit.rules.base import Hit, rule
from remit.rules.lambda_._common import names


def _external_groups(an: Analysis) -> list[tuple[str, list[Function]]]:
    """Functions grouped by a role that is not a role of the template, as written: the same literal ARN across
    the application, or the same parameter/expression within one document."""
    groups: dict[str, list[Function]] = defaultdict(list)
    for fn in an.app.functions:
        if fn.role_id is not None or fn.role is None or isinstance(fn.role, Unknown):
            continue
        written = render(fn.role)
        key = written if is_known(fn.role) else f"{fn.id.doc}\x1f{written}"
        groups[key].append(fn)
    return [(render(fns[0].role), fns) for fns in groups.values() if len(fns) > 1]


@rule(
    id="RMT-LAMBDA-010",
    title="Several functions share one execution role",
    severity=Severity.MEDIUM,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("An attacker who compromises the least important function (a public webhook) inherits the permissions of "
            "the most sensitive one sharing its role: one flaw reaches every function's data."),
    remediation="Give each function its own execution role holding only the permissions that function uses (SAM "
                "creates one per function when you omit Role and list Policies on the function).",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250", "CWE-269"),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """Two or more functions run with the same IAM role.

    The role must then hold the union of what every one of them needs, so each function can do what any of the
    others may. An attacker who gets code execution or an injection in the least important function (a public
    webhook) inherits the permissions of the most sensitive one (the one that writes payments or reads
    secrets). One role per function keeps a compromise contained to that function's own job.

    Roles declared in the template are reported at the role, once, listing its functions. Functions whose
    ``Role`` is the same ARN of a role outside the template (a literal ARN, or the same parameter or expression
    in one template) are reported once, at the first function's ``Role``, with the others related. Roles used
    by other services as well are not considered beyond their functions.
    """
    for role in an.app.roles:
        users = an.app.functions_using_role(role)
        if len(users) < 2:
            continue
        yield Hit(
            role.node,
            f"Role {role.display} is the execution role of {len(users)} functions ({names(f.display for f in users)}): "
            f"code running in any of them has the permissions all of them need.",
            role.resource,
            evidence="shared role",
            related=tuple(fn.at("Role") for fn in users),
        )
    for written, sharing in _external_groups(an):
        first = sharing[0]
        yield Hit(
            first.at("Role"),
            f"{len(sharing)} functions ({names(f.display for f in sharing)}) use the same execution role "
            f"{written}: code running in any of them has the permissions all of them need.",
            first.resource,
            evidence=f"shared role {written}",
            related=tuple(fn.at("Role") for fn in sharing[1:]),
        )
