"""The clear-text secret detector."""

from __future__ import annotations

import pytest

from remit.secretscan import classify, mask, scan_value, secret_like_name


@pytest.mark.parametrize(
    ("value", "kind", "critical"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS access key id", True),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...", "private key", True),
        ("ghp_R8xk2Lq9vN3mT7wY5bZ1cD4fG6hJ0kP2sQ8u", "GitHub token", False),
        ("xoxb-1234567890-abcdefghij", "Slack token", False),
        ("sk_live_51HqLx2eZvKYlo2C8fHk3jQpW0bM4rTn7", "Stripe secret key", False),
        ("AIzaSyD4rV8bW2xK9mQ7nL5pT3jH6gF1cE0aZ-s", "Google API key", False),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY21lIn0.c2lnbmF0dXJlMTI", "JSON Web Token", False),
        ("postgres://app:S3cretPw@db.internal:5432/orders", "password in a URL", False),
    ],
)
def test_known_formats(value: str, kind: str, critical: bool) -> None:
    found = scan_value(value)
    assert found is not None
    assert (found.kind, found.critical) == (kind, critical)


@pytest.mark.parametrize(
    "value",
    ["{{resolve:secretsmanager:prod/db:SecretString:password}}", "postgres://app:${DB_PASSWORD}@db/x",
     "https://example.com/path", "sk_test_abc", "hello world"],
)
def test_values_that_are_not_secrets(value: str) -> None:
    assert scan_value(value) is None


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("DB_PASSWORD", "hunter2!", "password"),
        ("dbPassword", "changeme", "password"),
        ("PAYMENT_API_KEY", "3f9a1c0d7e5b4a2f", "key"),
        ("client-secret", "a1b2c3d4e5f6g7", "secret"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz1abcdeFG", "AWS secret access key"),
    ],
)
def test_secrets_by_name(name: str, value: str, kind: str) -> None:
    found = classify(name, value)
    assert found is not None
    assert found.kind == kind
    assert value not in found.masked


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_PASSWORD", "{{resolve:ssm-secure:/app/db/password}}"),
        ("DB_PASSWORD", "/app/db/password"),
        ("DB_PASSWORD", "prod/orders/db"),
        ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"),
        ("SECRET_NAME", "orders-db-credentials"),
        ("TOKEN_TTL", "3600"),
        ("API_KEY_HEADER", "x-api-key"),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("API_KEY", "<your-api-key>"),
        ("API_KEY", "REPLACE_ME_BEFORE_DEPLOY"),
        ("TOKEN", "xxxxxxxx"),
        ("AUTH_TOKEN_URL", "https://auth.example.com/token"),
        ("PASSWORD", "abc"),
        ("USE_TOKEN", "true"),
        ("TABLE_NAME", "AKIA-looking-but-not"),
    ],
)
def test_not_secrets_by_name(name: str, value: str) -> None:
    assert classify(name, value) is None


def test_names() -> None:
    assert secret_like_name("stripeApiKey")
    assert not secret_like_name("stripeApiKeyArn")


def test_mask_never_shows_the_whole_secret() -> None:
    assert mask("supersecretvalue") == "supe… (16 characters)"
    assert mask("short1") == "sh… (6 characters)"
