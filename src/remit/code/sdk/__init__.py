"""AWS SDK calls in function code, the IAM actions they need, and the least privilege a function needs.

The public seam (other stages call these names):

* :func:`boto3_calls` — every boto3 call a Python module makes (clients, resources, paginators, waiters,
  transfer helpers), as :class:`~remit.code.facts.SdkCall` s; called by the Python analyzer.
* :func:`js_service` / :func:`operation_for` — botocore service and operation for what JavaScript code names
  (``@aws-sdk/client-s3``, ``S3``, ``DynamoDB.DocumentClient``; ``getObject``, ``GetObjectCommand``,
  ``PutCommand``, ``paginateQuery``); called by the JavaScript analyzer.
* :func:`actions_for` — the IAM actions one call needs, with the resource type and an ARN pattern where the
  call names its resource with literals (:class:`RequiredAction`).

A call whose operation the code computes (``getattr(client, name)(...)``, ``client[op](...)``) is still an
:class:`SdkCall`, with ``operation`` set to :data:`DYNAMIC` (and ``service`` too when the client's service is
computed): the least-privilege analysis then knows the function's code was not fully understood.

Everything here is pure: the botocore models are read at build time by ``scripts/build_sdk_index.py`` into
``remit/data/sdk_index.json.gz``; the reviewed exceptions live in ``remit/data/sdk_overrides.json``. Both load
lazily, on first use.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from remit.code.sdk.required import DYNAMIC, RequiredAction, is_dynamic

if TYPE_CHECKING:
    from remit.code.facts import SdkCall

__all__ = ["DYNAMIC", "RequiredAction", "actions_for", "boto3_calls", "is_dynamic", "js_service", "operation_for"]


def boto3_calls(tree: ast.Module, rel_path: str) -> tuple[SdkCall, ...]:
    """Every boto3 call in a parsed Python module, in source order; ``rel_path`` (relative to the scanned root)
    is the path the calls' locations carry. Never raises on odd code: what it cannot follow is skipped, and a
    call whose operation is computed becomes an :data:`DYNAMIC` call."""
    from remit.code.sdk.python import extract
    return extract(tree, rel_path)


def js_service(package_or_class: str) -> str | None:
    """The botocore service name for a JavaScript SDK package or class name, or None when it names none.

    ``@aws-sdk/client-s3`` / ``S3`` / ``AWS.S3`` -> ``s3``; ``@aws-sdk/client-sfn`` / ``StepFunctions`` ->
    ``stepfunctions``; ``DynamoDB.DocumentClient`` / ``DynamoDBDocumentClient`` / ``@aws-sdk/lib-dynamodb`` ->
    ``dynamodb``; ``@aws-sdk/lib-storage`` -> ``s3``. Case and separators do not matter for class names."""
    from remit.code.sdk.index import js_service as lookup
    return lookup(package_or_class)


def operation_for(service: str, method: str) -> str | None:
    """The botocore operation name for what code calls on a client of ``service``, or None when the service has
    no such operation. Accepts boto3 names (``get_object``), SDK v2 names (``getObject``), v3 command classes
    (``GetObjectCommand``), v3 paginators (``paginateListObjectsV2``) and waiters (``waitUntilObjectExists``),
    DynamoDB document-client names (``put``, ``PutCommand`` -> ``PutItem``), and the transfer helpers
    (boto3 ``upload_file`` / ``download_file`` / ``copy``, v2 ``upload``, lib-storage ``Upload``)."""
    from remit.code.sdk.index import operation_for as lookup
    return lookup(service, method)


def actions_for(call: SdkCall) -> tuple[RequiredAction, ...]:
    """The IAM actions ``call`` needs: the action names (canonical, e.g. ``s3:GetObject``), the resource type
    each applies to, an ARN pattern where the call names its resource with literals (else ``*``), and the
    arguments that name it (for resolving environment variables against the template). Empty for a call that
    needs no permission (``sts:GetCallerIdentity``) or whose operation is :data:`DYNAMIC` or unknown."""
    from remit.code.sdk.required import actions_for as compute
    return compute(call)
