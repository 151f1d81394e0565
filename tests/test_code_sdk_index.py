"""The SDK index and the reviewed override table: built from the installed models, naming real IAM actions."""

from __future__ import annotations

import pytest

from remit.code.sdk import index
from remit.code.sdk.catalog import expand, is_known
from remit.code.sdk.required import NAMING, prefix_of


def test_the_index_is_whole() -> None:
    """Whether it matches the installed botocore is `make data-check`'s question, not the suite's: remit reads
    the shipped index, never botocore, so a new botocore release changes nothing here."""
    meta = index.data()["_meta"]
    assert meta["services"] > 400
    assert meta["operations"] > 19_000


def _override_actions() -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    table = index.overrides()
    for service, ops in table["operations"].items():
        for op, spec in ops.items():
            names = list(spec.get("actions", [])) + list(spec.get("source_actions", []))
            names += [a for acts in spec.get("by_verb", {}).values() for a in acts]
            names += list(spec.get("by_item", {}).values())
            out.extend((service, op, a) for a in names)
    for service, ops in table["forward"].items():
        for op, names in ops.items():
            out.extend((service, op, a) for a in names)
    return out


@pytest.mark.parametrize(("service", "operation", "action"), _override_actions(),
                         ids=str)
def test_override_table_names_real_operations_and_actions(service: str, operation: str, action: str) -> None:
    entry = index.service(service)
    assert entry is not None, f"{service} is not a botocore service"
    assert operation in entry["ops"], f"{service} has no operation {operation}"
    assert is_known(action), f"{action} is not an IAM action"


def test_override_prefixes_and_http_verbs_are_iam_prefixes() -> None:
    table = index.overrides()
    for service, prefix in table["prefixes"].items():
        assert index.service(service) is not None
        assert expand(f"{prefix}:*"), f"{prefix} is not an IAM prefix"
    for service, verbs in table["verb_services"].items():
        for verb in verbs.values():
            assert is_known(f"{prefix_of(service)}:{verb}")


def test_resource_types_the_naming_table_uses_exist() -> None:
    restypes = index.data()["restypes"]
    for prefix, rtype in NAMING:
        assert any(rtype in types for types in restypes[prefix].values()), (prefix, rtype)


@pytest.mark.parametrize(("service", "prefix"), [
    ("s3", "s3"), ("stepfunctions", "states"), ("sesv2", "ses"), ("s3control", "s3"), ("opensearch", "es"),
    ("bedrock-runtime", "bedrock"), ("apigatewaymanagementapi", "execute-api"), ("iot-data", "iot"),
    ("logs", "logs"), ("events", "events"),
])
def test_iam_prefixes(service: str, prefix: str) -> None:
    assert prefix_of(service) == prefix


def test_most_operations_are_their_own_action() -> None:
    """The measured rule (94 % of operations) still holds for the installed models."""
    meta = index.data()["_meta"]
    assert meta["operations_without_same_named_action"] / meta["operations"] < 0.10
