"""RMT-SECRET-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.application import TemplateOutput
from remit.model.resources import Resource, ResourceId
from remit.model.values import Concat, Symbol, present_options
from remit.rules.base import Hit, rule
from remit.rules.secrets._common import REFERENCES, attribute_secret, describe, find, severity, types_in


def _holder(an: Analysis, doc: str, output: TemplateOutput) -> Resource | None:
    """The resource whose secret the output copies, else the first resource of its document (an output belongs
    to no resource, but a finding needs one to name and to suppress)."""
    type_of = types_in(an, doc)
    for option in present_options(output.value):
        parts = option.parts if isinstance(option, Concat) else (option,)
        for part in parts:
            if isinstance(part, Symbol) and attribute_secret(part, type_of) is not None:
                found = an.app.resource(ResourceId(doc, part.name))
                if found is not None:
                    return found
    return next((r for r in an.app.resources if r.id.doc == doc), None)


@rule(
    id="RMT-SECRET-005",
    title="Secret in a template output",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CONFIGURATION,
    scope=None,
    impact=("Stack outputs are shown to everyone who can describe the stack (`cloudformation:DescribeStacks`, the "
            "console, CI logs of the deployment), and Terraform prints unmarked outputs after every apply: the "
            "credential reaches far more people than the workload that needs it."),
    remediation=("Do not output the secret. Store it in AWS Secrets Manager (or let the service manage it, such as "
                 "an RDS-managed master password) and output the secret's ARN instead; grant read access to whoever "
                 "needs the value. In Terraform, an output that must carry it needs `sensitive = true` (the state "
                 "still holds the value: keep the state encrypted and access-controlled). Rotate a value that was "
                 "already shown."),
    references=(*REFERENCES,
                "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html",
                "https://developer.hashicorp.com/terraform/language/values/outputs#sensitive-suppressing-values-in-cli-output"),
    cwe=("CWE-200", "CWE-312"),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A template's ``Outputs`` (a Terraform root module's ``output``) carries a secret: an IAM access key's
    ``SecretAccessKey``, an SES SMTP password, a Cognito app client's ``ClientSecret``, an API key's value,
    Terraform's ``random_password.result`` or ``tls_private_key.private_key_pem``, or a secret written as a
    literal.

    CloudFormation returns outputs to anyone allowed ``cloudformation:DescribeStacks`` and shows them in the
    console; exported outputs can be imported by every stack of the account and region. Terraform prints
    outputs after each ``apply`` (into CI logs) unless they are marked ``sensitive = true``; such outputs are not
    reported (the state file still holds their value). Values are judged as for environment variables
    (RMT-SECRET-001): references to parameters and resources that hold no secret, ARNs and placeholders are
    not secrets. The report names the output and shows only a masked form of a literal.
    """
    for info in an.app.documents:
        for output in info.outputs:
            if output.sensitive:
                continue
            match = find(output.name, output.value, types_in(an, info.id))
            holder = _holder(an, info.id, output) if match is not None else None
            if match is None or holder is None:
                continue
            yield Hit(output.node.child("Value"),
                      f"Output {output.name} of {info.id} holds {describe(match)}: anyone who can describe the stack "
                      "or read the deployment's output has it.",
                      holder, evidence=output.name, severity=severity(match))
