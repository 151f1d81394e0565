"""Readers of CloudFormation resource types into the model's typed views, one module per resource family.

:data:`READERS` is the one table: each row names a reader, the function that reads, and the resource types it
reads (``Custom::*`` stands for every type starting with ``Custom::``). :func:`remit.model.build.build` runs the
rows in this order for each document holding a resource of one of the row's types; the order is the order in
which entities are added to the model (reports and fingerprints keep it) and lets later readers use what earlier
ones made (policy resources before the principals they attach to; APIs, function URLs and user pools before the
triggers they carry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from remit.model.readers import api, cognito, iam, lambda_, messaging, stores, triggers
from remit.model.readers.context import Context


@dataclass(frozen=True, slots=True)
class Reader:
    """One row of the table: ``read`` looks up only resources of ``types`` (a ``::*`` suffix is a prefix)."""

    name: str
    read: Callable[[Context], None]
    types: tuple[str, ...]

    def wanted(self, present: Iterable[str]) -> bool:
        """Whether a document holding resources of the ``present`` types has anything for this reader."""
        exact = {t for t in self.types if not t.endswith("::*")}
        prefixes = tuple(t[:-1] for t in self.types if t.endswith("::*"))
        return any(t in exact or (prefixes and t.startswith(prefixes)) for t in present)


READERS: tuple[Reader, ...] = (
    Reader("iam_attachments", iam.attachments,
           ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy",
            "AWS::IAM::GroupPolicy")),
    Reader("roles_users_groups", iam.principals,
           ("AWS::IAM::Role", "AWS::IAM::Group", "AWS::IAM::UserToGroupAddition", "AWS::IAM::AccessKey",
            "AWS::IAM::User", "AWS::IAM::InstanceProfile")),
    Reader("functions", lambda_.functions, ("AWS::Lambda::Function",)),
    Reader("function_urls", lambda_.function_urls, ("AWS::Lambda::Url",)),
    Reader("permissions", lambda_.permissions, ("AWS::Lambda::Permission",)),
    Reader("invoke_configs", lambda_.invoke_configs, ("AWS::Lambda::EventInvokeConfig",)),
    Reader("layers", lambda_.layers, ("AWS::Lambda::LayerVersion",)),
    Reader("log_groups", stores.log_groups, ("AWS::Logs::LogGroup",)),
    Reader("buckets", stores.buckets, ("AWS::S3::BucketPolicy", "AWS::S3::Bucket")),
    Reader("tables", stores.tables, ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")),
    Reader("queues", messaging.queues, ("AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy", "AWS::SQS::Queue")),
    Reader("topics", messaging.topics, ("AWS::SNS::TopicPolicy", "AWS::SNS::TopicInlinePolicy", "AWS::SNS::Topic")),
    Reader("buses", messaging.buses, ("AWS::Events::EventBusPolicy", "AWS::Events::EventBus")),
    Reader("secrets", stores.secrets,
           ("AWS::SecretsManager::ResourcePolicy", "AWS::SecretsManager::RotationSchedule",
            "AWS::SecretsManager::Secret")),
    Reader("keys", stores.keys, ("AWS::KMS::Key",)),
    Reader("state_machines", stores.state_machines, ("AWS::StepFunctions::StateMachine",)),
    Reader("user_pools", cognito.user_pools, ("AWS::Cognito::UserPool",)),
    Reader("user_pool_clients", cognito.user_pool_clients, ("AWS::Cognito::UserPoolClient",)),
    Reader("identity_pools", cognito.identity_pools,
           ("AWS::Cognito::IdentityPoolRoleAttachment", "AWS::Cognito::IdentityPool")),
    Reader("rest_apis", api.rest_apis,
           ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::RestApi",
            "AWS::ApiGateway::Resource", "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Method")),
    Reader("v2_apis", api.v2_apis,
           ("AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route",
            "AWS::ApiGatewayV2::Api")),
    Reader("usage_plans", api.usage_plans, ("AWS::ApiGateway::UsagePlan",)),
    # triggers: the API, URL and user pool rows above made the entities the first, second and seventh read
    Reader("api_triggers", triggers.api_routes, ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")),
    Reader("url_triggers", triggers.function_urls, ("AWS::Lambda::Url",)),
    Reader("mapping_triggers", triggers.event_source_mappings, ("AWS::Lambda::EventSourceMapping",)),
    Reader("bucket_triggers", triggers.bucket_notifications, ("AWS::S3::Bucket",)),
    Reader("sns_triggers", triggers.sns_subscriptions, ("AWS::SNS::Subscription", "AWS::SNS::Topic")),
    Reader("rule_triggers", triggers.rules_schedules_pipes,
           ("AWS::Events::Rule", "AWS::Scheduler::Schedule", "AWS::Pipes::Pipe")),
    Reader("cognito_triggers", triggers.cognito, ("AWS::Cognito::UserPool",)),
    Reader("iot_triggers", triggers.iot_rules, ("AWS::IoT::TopicRule",)),
    Reader("log_triggers", triggers.log_subscriptions, ("AWS::Logs::SubscriptionFilter",)),
    Reader("custom_resource_triggers", triggers.custom_resources,
           ("Custom::*", "AWS::CloudFormation::CustomResource")),
    Reader("object_lambda_triggers", triggers.object_lambda, ("AWS::S3ObjectLambda::AccessPoint",)),
    Reader("alb_triggers", triggers.load_balancer_targets, ("AWS::ElasticLoadBalancingV2::TargetGroup",)),
)
