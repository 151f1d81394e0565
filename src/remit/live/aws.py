"""Read-only AWS calls as the collectors make them: one client per service and region, botocore's standard retry
mode, pagination wherever the API pages, and every failure turned into an explicit unknown plus a :class:`Gap`
that names the IAM permission the call needs. Nothing here raises for an AWS error: a collector always gets a
value back (the response, ``None`` for "there is none", or an unknown marker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from remit.live.snapshot import Gap, unknown

MAX_ATTEMPTS = 8  # botocore's standard mode backs off exponentially (with jitter) between them
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
MAX_PAGES = 2_000  # a runaway paginator (an API that keeps returning a token) stops here, with a gap

# error codes that mean "this resource has none of that", not "could not read"
ABSENT = frozenset({
    "NoSuchBucketPolicy", "NoSuchPublicAccessBlockConfiguration", "ServerSideEncryptionConfigurationNotFoundError",
    "OwnershipControlsNotFoundError", "NoSuchTagSet", "NoSuchTagSetError", "ResourceNotFoundException",
    "NoSuchEntity", "NotFoundException", "PolicyNotFoundException", "NoSuchLifecycleConfiguration",
})
# IAM actions whose name is not the service prefix and the API operation name
_PERMISSIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("lambda", "ListFunctionEventInvokeConfigs"): "lambda:ListFunctionEventInvokeConfigs",
    ("ec2", "DescribeRegions"): "ec2:DescribeRegions",
}
_PREFIXES = {"apigateway": "apigateway", "apigatewayv2": "apigateway", "stepfunctions": "states",
             "cognito-idp": "cognito-idp", "cognito-identity": "cognito-identity", "s3control": "s3"}

Record = Callable[[Gap], None]


def client_config() -> Any:
    """botocore's standard retries (backoff on throttling), bounded timeouts, remit in the user agent."""
    from botocore.config import Config  # type: ignore[import-untyped]  # botocore ships no type hints

    from remit import __version__
    return Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS}, connect_timeout=CONNECT_TIMEOUT,
                  read_timeout=READ_TIMEOUT, user_agent_extra=f"remit/{__version__}")


def permission(service: str, operation: str) -> str:
    """The IAM action an API operation needs (``lambda:GetPolicy``; API Gateway reads are ``apigateway:GET``)."""
    if service in ("apigateway", "apigatewayv2"):
        return "apigateway:GET"
    return _PERMISSIONS.get((service, operation), f"{_PREFIXES.get(service, service)}:{operation}")


class Reader:
    """Clients and calls for one collection. ``record`` receives each gap."""

    def __init__(self, session: Any, record: Record) -> None:
        self.session = session
        self.record = record
        self.config = client_config()
        self.clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self.clients:
            self.clients[key] = self.session.client(service, region_name=region or None, config=self.config)
        return self.clients[key]

    def _operation(self, client: Any, method: str) -> str:
        return str(client.meta.method_to_api_mapping.get(method, method))

    def _gap(self, service: str, region: str, operation: str, reason: str, resource: str) -> dict[str, str]:
        needed = permission(service, operation)
        self.record(Gap(service, region or "global", operation, needed, reason, resource))
        return unknown(f"{reason} (needs {needed})")

    def call(self, service: str, region: str, method: str, resource: str = "", **kwargs: Any) -> Any:
        """One call: its response, None when the resource has none of it, else an unknown marker."""
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]  # botocore ships no type hints
        client = self.client(service, region)
        operation = self._operation(client, method)
        try:
            return getattr(client, method)(**kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "ClientError"))
            if code in ABSENT:
                return None
            return self._gap(service, region, operation, _reason(code, exc), resource)
        except (BotoCoreError, NotImplementedError) as exc:  # NotImplementedError: an emulator lacks the call
            return self._gap(service, region, operation, f"{type(exc).__name__}: {exc}", resource)

    def pages(self, service: str, region: str, method: str, key: str, resource: str = "",
              **kwargs: Any) -> list[Any] | dict[str, str]:
        """Every item under ``key`` across the pages of a listing, or an unknown marker."""
        from botocore.exceptions import BotoCoreError, ClientError
        client = self.client(service, region)
        operation = self._operation(client, method)
        if not client.can_paginate(method):
            response = self.call(service, region, method, resource, **kwargs)
            if response is None:
                return []
            return response if "remit:unknown" in response else list(response.get(key) or ())
        out: list[Any] = []
        try:
            for number, page in enumerate(client.get_paginator(method).paginate(**kwargs)):
                if number >= MAX_PAGES:
                    return self._gap(service, region, operation, f"more than {MAX_PAGES} pages", resource)
                out.extend(page.get(key) or ())
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "ClientError"))
            if code in ABSENT:
                return out
            return self._gap(service, region, operation, _reason(code, exc), resource)
        except (BotoCoreError, NotImplementedError) as exc:
            return self._gap(service, region, operation, f"{type(exc).__name__}: {exc}", resource)
        return out


def _reason(code: str, exc: Exception) -> str:
    if "AccessDenied" in code or code in ("UnauthorizedOperation", "AuthorizationError", "UnauthorizedException"):
        return f"access denied ({code})"
    if "Throttl" in code or code in ("TooManyRequestsException", "RequestLimitExceeded", "SlowDown"):
        return f"still throttled after {MAX_ATTEMPTS} attempts ({code})"
    message = str(getattr(exc, "response", {}).get("Error", {}).get("Message", ""))[:200]
    return f"{code}: {message}" if message else code


def listed(value: Any) -> Iterable[Any]:
    """The items of a listing, or nothing when the listing is unknown."""
    return value if isinstance(value, list) else ()
