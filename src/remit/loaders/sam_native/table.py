"""``AWS::Serverless::SimpleTable`` → the DynamoDB table the translator writes for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic, main_resource

ACCEPTED = frozenset({"PointInTimeRecoverySpecification", "PrimaryKey", "ProvisionedThroughput", "TableName", "Tags",
                      "SSESpecification"})
_TYPES = {"String": "S", "Number": "N", "Binary": "B"}
# the order of the table's properties in the translator's output
_ORDER = ("AttributeDefinitions", "KeySchema", "PointInTimeRecoverySpecification", "ProvisionedThroughput",
          "TableName", "Tags", "SSESpecification", "BillingMode")


def _check(props: Mapping[str, Any]) -> None:
    unknown = set(props) - ACCEPTED
    if unknown:
        raise Refused(f"SimpleTable: {sorted(unknown)[0]}")
    key = props.get("PrimaryKey")
    if key is not None and not (isinstance(key, dict) and set(key) == {"Name", "Type"}
                                and isinstance(key["Name"], str) and key["Type"] in _TYPES):
        raise Refused("SimpleTable: PrimaryKey written in a shape not reproduced")
    throughput = props.get("ProvisionedThroughput")
    if throughput is not None and not (isinstance(throughput, dict) and all(
            isinstance(k, str) and isinstance(v, (int, dict)) and not isinstance(v, bool)
            for k, v in throughput.items())):
        raise Refused("SimpleTable: ProvisionedThroughput written in a shape not reproduced")
    if not isinstance(props.get("TableName", ""), (str, dict)):
        raise Refused("SimpleTable: TableName written in a shape not reproduced")
    for name in ("Tags", "SSESpecification"):
        value = props.get(name, {})
        if not isinstance(value, dict) or is_intrinsic(value):
            raise Refused(f"SimpleTable: {name} written in a shape not reproduced")


def expand_table(lid: str, resource: Mapping[str, Any], props: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    _check(props)
    key = props.get("PrimaryKey")
    if key:
        attribute = {"AttributeName": key["Name"], "AttributeType": _TYPES[key["Type"]]}
    else:
        attribute = {"AttributeName": "id", "AttributeType": "S"}
    written: dict[str, Any] = {"AttributeDefinitions": [attribute],
                               "KeySchema": [{"AttributeName": attribute["AttributeName"], "KeyType": "HASH"}]}
    if props.get("PointInTimeRecoverySpecification"):
        written["PointInTimeRecoverySpecification"] = props["PointInTimeRecoverySpecification"]
    if props.get("ProvisionedThroughput"):
        written["ProvisionedThroughput"] = props["ProvisionedThroughput"]
    else:
        written["BillingMode"] = "PAY_PER_REQUEST"
    for name in ("SSESpecification", "TableName"):
        if props.get(name):
            written[name] = props[name]
    if props.get("Tags"):
        written["Tags"] = [{"Key": k, "Value": "" if v is None else v} for k, v in props["Tags"].items()]
    properties = {name: written[name] for name in _ORDER if name in written}
    table = main_resource("AWS::DynamoDB::Table", resource, properties)
    return [(lid, table)]
