"""The broker pull sources (MSK, SelfManagedKafka, MQ, DocumentDB) as aws-sam-translator 1.115 expands them:
an event source mapping like the other pull types, and an inline policy for the execution role built from
``SourceAccessConfigurations`` (the secrets the poller reads, VPC access) and ``SecretsManagerKmsKeyId``.

Refused: a ``SchemaRegistryURI`` whose registry name depends on a template parameter (the translator puts in
its default) and settings the policy cannot be built from exactly (a ``SourceAccessConfigurations`` or
``Topics`` that is not a list, a KMS key that is not a string).
"""

from __future__ import annotations

import re
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic
from remit.loaders.sam_native.events_base import Prop, anything, is_bool
from remit.loaders.sam_native.events_pull import PullType

_KMS_KEY_ARN = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/"
_VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
]
_KAFKA_AUTH = ("SASL_SCRAM_256_AUTH", "SASL_SCRAM_512_AUTH", "BASIC_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH",
               "OAUTHBEARER_AUTH", "IAM_AUTH", "IAM_OAUTHBEARER_AUTH")
_KAFKA_AUTH_WITHOUT_URI = ("IAM_AUTH", "IAM_OAUTHBEARER_AUTH")
_KAFKA_OAUTH_METADATA = ("OAUTHBEARER_SCOPE", "OAUTHBEARER_AUDIENCE", "OAUTHBEARER_LOGICAL_CLUSTER",
                         "OAUTHBEARER_IDENTITY_POOL")


def _secret(uri: Any) -> dict[str, Any]:
    return {"Action": ["secretsmanager:GetSecretValue"], "Effect": "Allow", "Resource": uri}


def _kms_key(kind: str, props: dict[str, Any]) -> str | None:
    key = props.get("SecretsManagerKmsKeyId")
    if key is None or key == "":
        return None
    if not isinstance(key, str):
        raise Refused(f"{kind}: SecretsManagerKmsKeyId is not a string")
    return key


def _access_configurations(kind: str, props: dict[str, Any]) -> list[dict[str, Any]]:
    configurations = props.get("SourceAccessConfigurations")
    if not configurations or not isinstance(configurations, list):
        raise Refused(f"{kind}: SourceAccessConfigurations is not a non-empty list")
    if not all(isinstance(c, dict) for c in configurations):
        raise Refused(f"{kind}: SourceAccessConfigurations entry is not a mapping")
    return configurations


def _required_uri(kind: str, props: dict[str, Any], supported: tuple[str, ...], required: str) -> Any:
    """The one ``URI`` of the ``required`` type among ``SourceAccessConfigurations`` of ``supported`` types."""
    uri = None
    for conf in _access_configurations(kind, props):
        conf_type = conf.get("Type")
        if conf_type not in supported:
            raise Refused(f"{kind}: SourceAccessConfigurations Type {conf_type!r}")
        if conf_type == required:
            if uri:
                raise Refused(f"{kind}: more than one {required}")
            uri = conf.get("URI")
            if not uri:
                raise Refused(f"{kind}: {required} without URI")
    if not uri:
        raise Refused(f"{kind}: no {required} in SourceAccessConfigurations")
    return uri


# --- the Kafka types' schema registry --------------------------------------------------------------------------

def _schema_registry_statements(kind: str, props: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements for ``SchemaRegistryConfig`` (a truthy one): reading the secrets of its
    ``AccessConfigs`` and, for an AWS Glue registry ARN, the registry and its schemas."""
    config = props["SchemaRegistryConfig"]
    if not isinstance(config, dict):
        raise Refused(f"{kind}: SchemaRegistryConfig is not a mapping")
    missing = [k for k in ("SchemaRegistryURI", "EventRecordFormat", "SchemaValidationConfigs") if k not in config]
    if missing:
        raise Refused(f"{kind}: SchemaRegistryConfig without {missing[0]}")
    if config["EventRecordFormat"] not in ("JSON", "SOURCE"):
        raise Refused(f"{kind}: SchemaRegistryConfig.EventRecordFormat {config['EventRecordFormat']!r}")
    if not isinstance(config["SchemaValidationConfigs"], list):
        raise Refused(f"{kind}: SchemaRegistryConfig.SchemaValidationConfigs is not a list")
    access = config.get("AccessConfigs", [])
    if not isinstance(access, list) or not all(isinstance(c, dict) and "Type" in c and "URI" in c for c in access):
        raise Refused(f"{kind}: SchemaRegistryConfig.AccessConfigs is not a list of Type and URI")
    uri = config["SchemaRegistryURI"]
    arn = _registry_arn(kind, uri)
    statements = [_secret(c["URI"]) for c in access]
    parts = arn.split(":")
    if arn.startswith("arn") and len(parts) >= 6 and parts[5].startswith("registry/"):
        registry = parts[5][len("registry/"):]
        statements.append({"Action": ["glue:GetRegistry"], "Effect": "Allow", "Resource": uri})
        statements.append({"Action": ["glue:GetSchemaVersion"], "Effect": "Allow", "Resource": [
            {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:schema/" + registry + "/*"}]})
    return statements


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# the parameters the translator resolves here: it is given none but these two pseudo parameters (us-east-1)
_PSEUDO = {"AWS::Region": "us-east-1", "AWS::Partition": "aws"}


def _registry_arn(kind: str, uri: Any) -> str:
    """The text the translator reads the Glue registry name from: the URI, or the string of a ``Fn::Sub`` with
    the region and partition put in (any other ``${AWS::...}`` left as it is). A Sub naming anything else (a
    parameter, whose default the translator would put in) is refused."""
    if isinstance(uri, str):
        return uri
    text = uri.get("Fn::Sub") if isinstance(uri, dict) and len(uri) == 1 else None
    if not isinstance(text, str) or "${!" in text:
        raise Refused(f"{kind}: SchemaRegistryURI is neither a string nor a Fn::Sub of one")
    names = _SUB_VARIABLE.findall(text)
    if not all(name.startswith("AWS::") for name in names):
        raise Refused(f"{kind}: SchemaRegistryURI names a parameter or a resource")
    return _SUB_VARIABLE.sub(lambda m: _PSEUDO.get(m.group(1), m.group(0)), text)


def _kafka_config(props: dict[str, Any], group: str) -> dict[str, Any]:
    """``AmazonManagedKafkaEventSourceConfig`` / ``SelfManagedKafkaEventSourceConfig``: the consumer group,
    then the schema registry, each when given (not empty)."""
    config: dict[str, Any] = {}
    if props.get("ConsumerGroupId"):
        config["ConsumerGroupId"] = props["ConsumerGroupId"]
    if props.get("SchemaRegistryConfig"):
        config["SchemaRegistryConfig"] = props["SchemaRegistryConfig"]
    return {group: config} if config else {}


# --- MSK --------------------------------------------------------------------------------------------------------

def _msk_statements(kind: str, logical_id: str, props: dict[str, Any]) -> list[dict[str, Any]] | None:
    configurations = props.get("SourceAccessConfigurations")
    if configurations is not None and not isinstance(configurations, list):
        raise Refused(f"{kind}: SourceAccessConfigurations is not a list")
    statements = _schema_registry_statements(kind, props) if props.get("SchemaRegistryConfig") else []
    statements += [_secret(c.get("URI")) for c in configurations or ()
                   if isinstance(c, dict) and c.get("Type") == "CLIENT_CERTIFICATE_TLS_AUTH" and c.get("URI")]
    if not statements:
        return None
    return [{"PolicyName": "MSKExecutionRolePolicy", "PolicyDocument": {"Statement": statements}}]


def _msk_fields(props: dict[str, Any]) -> dict[str, Any]:
    return _kafka_config(props, "AmazonManagedKafkaEventSourceConfig")


# --- SelfManagedKafka -------------------------------------------------------------------------------------------

def _uri(kind: str, conf: dict[str, Any], what: str) -> Any:
    uri = conf.get("URI")
    if not uri or not (isinstance(uri, str) or is_intrinsic(uri)):
        raise Refused(f"{kind}: {what} URI missing or not a string")
    return uri


def _kafka_statements(kind: str, logical_id: str, props: dict[str, Any]) -> list[dict[str, Any]] | None:
    if not props.get("KafkaBootstrapServers"):
        raise Refused(f"{kind}: no KafkaBootstrapServers")
    topics = props.get("Topics")
    if not isinstance(topics, list) or len(topics) != 1:
        raise Refused(f"{kind}: Topics is not a list of one")
    auth_uri = ca_uri = None
    auth = subnet = group = False
    for conf in _access_configurations(kind, props):
        conf_type = conf.get("Type")
        if conf_type == "VPC_SUBNET":
            _uri(kind, conf, "VPC_SUBNET")
            subnet = True
        elif conf_type == "VPC_SECURITY_GROUP":
            _uri(kind, conf, "VPC_SECURITY_GROUP")
            group = True
        elif conf_type in _KAFKA_AUTH:
            if auth:
                raise Refused(f"{kind}: more than one authentication")
            auth = True
            if conf_type not in _KAFKA_AUTH_WITHOUT_URI:
                auth_uri = _uri(kind, conf, "auth mechanism")
        elif conf_type == "SERVER_ROOT_CA_CERTIFICATE":
            ca_uri = _uri(kind, conf, "SERVER_ROOT_CA_CERTIFICATE")
        elif conf_type in _KAFKA_OAUTH_METADATA:
            _uri(kind, conf, str(conf_type))
        else:
            raise Refused(f"{kind}: SourceAccessConfigurations Type {conf_type!r}")
    if subnet != group:
        raise Refused(f"{kind}: VPC_SUBNET without VPC_SECURITY_GROUP or the reverse")
    statements = [_secret(uri) for uri in (auth_uri, ca_uri) if uri]
    if subnet:
        statements.append({"Action": list(_VPC_ACTIONS), "Effect": "Allow", "Resource": "*"})
    key = _kms_key(kind, props)
    if key is not None:
        statements.append({"Action": ["kms:Decrypt"], "Effect": "Allow", "Resource": {"Fn::Sub": _KMS_KEY_ARN + key}})
    if props.get("SchemaRegistryConfig"):
        statements += _schema_registry_statements(kind, props)
    if not statements:
        return None
    return [{"PolicyDocument": {"Statement": statements, "Version": "2012-10-17"},
             "PolicyName": "SelfManagedKafkaExecutionRolePolicy"}]


def _kafka_fields(props: dict[str, Any]) -> dict[str, Any]:
    return _kafka_config(props, "SelfManagedKafkaEventSourceConfig")


# --- MQ ---------------------------------------------------------------------------------------------------------

def _mq_statements(kind: str, logical_id: str, props: dict[str, Any]) -> list[dict[str, Any]] | None:
    uri = _required_uri(kind, props, ("BASIC_AUTH", "VIRTUAL_HOST"), "BASIC_AUTH")
    statements: list[dict[str, Any]] = [
        {"Action": ["secretsmanager:GetSecretValue"], "Effect": "Allow", "Resource": uri},
        {"Action": ["mq:DescribeBroker"], "Effect": "Allow", "Resource": props["Broker"]},
    ]
    key = _kms_key(kind, props)
    if key is not None:
        statements.append({"Action": "kms:Decrypt", "Effect": "Allow", "Resource": {"Fn::Sub": _KMS_KEY_ARN + key}})
    name = f"{logical_id}AMQPolicy" if props.get("DynamicPolicyName") else "SamAutoGeneratedAMQPolicy"
    return [{"PolicyName": name, "PolicyDocument": {"Statement": statements}}]


# --- DocumentDB -------------------------------------------------------------------------------------------------

def _documentdb_statements(kind: str, logical_id: str, props: dict[str, Any]) -> list[dict[str, Any]] | None:
    uri = _required_uri(kind, props, ("BASIC_AUTH",), "BASIC_AUTH")
    statements: list[dict[str, Any]] = [
        {"Action": ["secretsmanager:GetSecretValue"], "Effect": "Allow", "Resource": uri},
        {"Action": ["rds:DescribeDBClusterParameters"], "Effect": "Allow",
         "Resource": {"Fn::Sub": "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:cluster-pg:*"}},
        {"Action": ["rds:DescribeDBSubnetGroups"], "Effect": "Allow",
         "Resource": {"Fn::Sub": "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:subgrp:*"}},
        {"Action": ["rds:DescribeDBClusters"], "Effect": "Allow", "Resource": props["Cluster"]},
        {"Action": list(_VPC_ACTIONS), "Effect": "Allow", "Resource": "*"},
    ]
    key = _kms_key(kind, props)
    if key is not None:
        statements.append({"Action": ["kms:Decrypt"], "Effect": "Allow", "Resource": {"Fn::Sub": _KMS_KEY_ARN + key}})
    return [{"PolicyName": "SamAutoGeneratedDocumentDBPolicy", "PolicyDocument": {"Statement": statements}}]


def _documentdb_fields(props: dict[str, Any]) -> dict[str, Any]:
    config = {"DatabaseName": props["DatabaseName"]}
    for key in ("CollectionName", "FullDocument"):
        if props.get(key):
            config[key] = props[key]
    return {"DocumentDBEventSourceConfig": config}


_REQUIRED = {"required": True, "intrinsics": False}

BROKER_TYPES: dict[str, PullType] = {
    "MSK": PullType(
        "Stream", {"Stream": Prop(anything, **_REQUIRED), "StartingPosition": Prop(anything, **_REQUIRED)},
        "service-role/AWSLambdaMSKExecutionRole", _msk_statements, _msk_fields,
        dropped=("SecretsManagerKmsKeyId",), refused=()),
    "SelfManagedKafka": PullType(
        None, {}, None, _kafka_statements, _kafka_fields, dropped=("SecretsManagerKmsKeyId",), refused=()),
    "MQ": PullType(
        "Broker", {"Broker": Prop(anything, **_REQUIRED), "DynamicPolicyName": Prop(is_bool, intrinsics=False)},
        None, _mq_statements, dropped=("SecretsManagerKmsKeyId", "SchemaRegistryConfig", "DynamicPolicyName")),
    "DocumentDB": PullType(
        "Cluster", {"Cluster": Prop(anything, **_REQUIRED), "DatabaseName": Prop(anything, **_REQUIRED),
                    "CollectionName": Prop(anything, intrinsics=False),
                    "FullDocument": Prop(anything, intrinsics=False)},
        None, _documentdb_statements, _documentdb_fields,
        dropped=("SecretsManagerKmsKeyId", "SchemaRegistryConfig", "DatabaseName", "CollectionName",
                 "FullDocument")),
}
