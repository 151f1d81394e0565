"""Lambda readers: functions (with where their code is), function URLs, permissions, asynchronous invocation
configs and layers."""

from __future__ import annotations

from remit.documents import PLACEHOLDER_BUCKET, is_local
from remit.model.entities import (
    CodeKind,
    CodeLocation,
    EventInvokeConfig,
    Function,
    FunctionUrl,
    LambdaPermission,
    LayerVersion,
)
from remit.model.readers.context import FUNCTION, Context
from remit.model.resources import Resource
from remit.model.values import Value, items, render, text


def _code(ctx: Context, res: Resource, code: Value | None, local_keys: tuple[str, ...]) -> CodeLocation:
    """Where a function's or layer's code is. SAM's local paths were swapped for placeholders before
    translation; the placeholder's key says whose path it was (the resource's own, or Globals')."""
    written: str | None = None
    if isinstance(code, dict) and code.get("S3Bucket") == PLACEHOLDER_BUCKET:
        owner = "Globals" if code.get("S3Key") == "globals" else res.origin.logical_id
        local = ctx.local_paths.get(owner, {})
        written = next((local[k] for k in local_keys if k in local), None)
    elif isinstance(code, str) and is_local(code):
        written = code  # ``aws cloudformation package`` style: a local path in Code
    if written is not None:
        return CodeLocation(CodeKind.LOCAL, written, (ctx.doc.path.parent / written).resolve())
    if isinstance(code, dict):
        inline = code.get("ZipFile")
        if inline is not None:
            return CodeLocation(CodeKind.INLINE, "<inline>", inline=text(inline) or render(inline))
        if code.get("ImageUri") is not None:
            return CodeLocation(CodeKind.IMAGE, render(code["ImageUri"]))
        if code.get("S3Bucket") is not None:
            return CodeLocation(CodeKind.S3, f"s3://{render(code['S3Bucket'])}/{render(code.get('S3Key'))}")
    if code is None:
        return CodeLocation(CodeKind.UNKNOWN, "<not set>")
    return CodeLocation(CodeKind.UNKNOWN, render(code))


def functions(ctx: Context) -> None:
    for res in ctx.of_type(FUNCTION):
        env = res.prop("Environment", "Variables")
        role = res.prop("Role")
        vpc = res.prop("VpcConfig")
        ctx.acc.functions.append(
            Function(
                resource=res,
                name=res.prop("FunctionName") or res.logical_id,
                runtime=res.prop("Runtime"),
                handler=res.prop("Handler"),
                package_type=res.text("PackageType") or "Zip",
                code=_code(ctx, res, res.prop("Code"), ("CodeUri", "ImageUri")),
                role=role,
                role_id=ctx.target(role, "AWS::IAM::Role"),
                environment=env if isinstance(env, dict) else {},
                layers=items(res.prop("Layers")),
                reserved_concurrency=res.prop("ReservedConcurrentExecutions"),
                dead_letter_target=res.prop("DeadLetterConfig", "TargetArn"),
                tracing=res.prop("TracingConfig", "Mode"),
                vpc=vpc if isinstance(vpc, dict) else None,
                kms_key=res.prop("KmsKeyArn"),
                log_group=res.prop("LoggingConfig", "LogGroup"),
                timeout=res.prop("Timeout"),
                architectures=items(res.prop("Architectures")),
            )
        )


def function_urls(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Lambda::Url"):
        cors = res.prop("Cors")
        ctx.acc.function_urls.append(
            FunctionUrl(res, ctx.function_target(res.prop("TargetFunctionArn")), res.prop("TargetFunctionArn"),
                        res.prop("AuthType"), cors if isinstance(cors, dict) else None, res.prop("InvokeMode"),
                        res.prop("Qualifier"))
        )


def permissions(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Lambda::Permission"):
        ctx.acc.permissions.append(
            LambdaPermission(
                resource=res,
                function_id=ctx.function_target(res.prop("FunctionName")),
                function_ref=res.prop("FunctionName"),
                action=res.prop("Action"),
                principal=res.prop("Principal"),
                source_arn=res.prop("SourceArn"),
                source_account=res.prop("SourceAccount"),
                principal_org_id=res.prop("PrincipalOrgID"),
                function_url_auth_type=res.prop("FunctionUrlAuthType"),
                invoked_via_function_url=res.prop("InvokedViaFunctionUrl"),
                event_source_token=res.prop("EventSourceToken"),
            )
        )


def invoke_configs(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Lambda::EventInvokeConfig"):
        ctx.acc.invoke_configs.append(
            EventInvokeConfig(res, ctx.function_target(res.prop("FunctionName")),
                              res.prop("DestinationConfig", "OnFailure", "Destination"),
                              res.prop("DestinationConfig", "OnSuccess", "Destination"),
                              res.prop("MaximumRetryAttempts"))
        )


def layers(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Lambda::LayerVersion"):
        ctx.acc.layers.append(
            LayerVersion(res, res.prop("LayerName") or res.logical_id,
                         _code(ctx, res, res.prop("Content"), ("ContentUri",)),
                         items(res.prop("CompatibleRuntimes")))
        )
