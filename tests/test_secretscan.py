"""The clear-text secret detector (remit.secretscan): formats, names, and what is deliberately not a secret."""

from __future__ import annotations

import pytest

from remit.secretscan import (
    classify,
    find_in_text,
    is_reference,
    mask,
    names_a_secret,
    scan_value,
    secret_like_name,
)

# Token-shaped test values are assembled from parts so that this file itself does not look like a leak.
GITHUB = "ghp_" + "R8xk2Lq9vN3mT7wY5bZ1cD4fG6hJ0kP2sQ8u"
STRIPE = "sk_" + "live_51HqLx2eZvKYlo2C8fHk3jQpW0bM4rTn7"
AWS_KEY_ID = "AKIA" + "Q7EXAMPLEKEY1234"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzz1abcdeFG"


@pytest.mark.parametrize(
    ("value", "kind", "critical"),
    [
        (AWS_KEY_ID, "AWS access key id", True),
        ("ASIA" + "Y34FZKBOKMUTVV7A", "AWS access key id", True),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...", "private key", True),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "private key", True),
        (f"aws_secret_access_key = {AWS_SECRET}", "AWS secret access key", True),
        (GITHUB, "GitHub token", False),
        ("github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub token", False),
        ("glpat-" + "Zq8x1Lr7Vn3Kd9Pw2Tb6", "GitLab token", False),
        ("xoxb-" + "1234567890-abcdefghij", "Slack token", False),
        ("https://hooks.slack.com/services/T0123ABCD/B0456EFGH/" + "abcdefghij1234567890", "Slack webhook URL", False),
        (STRIPE, "Stripe secret key", False),
        ("whsec_" + "9K2LmQ7xTb4VnZ8cR1pY6wE3", "Stripe webhook secret", False),
        ("AIza" + "SyD4rV8bW2xK9mQ7nL5pT3jH6gF1cE0aZ-s", "Google API key", False),
        ("GOCSPX-" + "q8Vt3mZkR2aLw9Xn4bYc7DfHj1Es", "Google OAuth client secret", False),
        ("npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "npm access token", False),
        ("shpat_" + "0123456789abcdef0123456789abcdef", "Shopify access token", False),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY21lIn0.c2lnbmF0dXJlMTI", "JSON Web Token", False),
        ("postgres://app:S3cretPw@db.internal:5432/orders", "password in a URL", False),
        ("redis://:S3cretPw@cache.internal:6379", "password in a URL", False),
    ],
)
def test_known_formats(value: str, kind: str, critical: bool) -> None:
    found = scan_value(value)
    assert found is not None
    assert (found.kind, found.critical, found.by_name) == (kind, critical, False)


@pytest.mark.parametrize(
    "value",
    [
        "{{resolve:secretsmanager:prod/db:SecretString:password}}",
        "postgres://app:${DB_PASSWORD}@db/x",
        "postgres://app:{{resolve:secretsmanager:db:SecretString:password}}@db/x",
        "https://user@example.com/path",
        "https://example.com/path",
        "sk_test_abc",
        "AKIA-looking-but-not",
        "GOCSPX-" + "your-client-secret",  # too short: a placeholder
        "hello world",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:payments-api",
    ],
)
def test_values_that_are_not_secrets(value: str) -> None:
    assert scan_value(value) is None


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("DB_PASSWORD", "hunter2!", "password"),
        ("dbPassword", "changeme", "password"),
        ("db-pass", "postgres", "password"),
        ("PAYMENT_API_KEY", "3f9a1c0d7e5b4a2f", "key"),
        ("client-secret", "a1b2c3d4e5f6g7", "secret"),
        ("Authorization", "Bearer 9f8e7d6c5b4a39281706", "authorization header"),
        ("PARTNER_TOKEN", "dev-token-9f8e7d6c5b", "token"),
        ("DATABASE_DSN", "host=db user=app password=hunter22", "connection string"),
        ("SMTP_PW", "Kq7-vL2p9xRw", "password"),
        ("PWD", "Tr0ub4dor&3", "password"),
        ("PASSWD", "s3cr3t-value", "password"),
        ("partnerAuth", "Zx81-kLp0-Qa5v", "credentials"),
        ("CREDS", "admin:Zx81kLp0", "credentials"),
        ("PRIVATE_KEY", "MIIEvQIBADANBgkqhkiG9w0", "private key"),
    ],
)
def test_secrets_by_name(name: str, value: str, kind: str) -> None:
    found = classify(name, value)
    assert found is not None
    assert (found.kind, found.critical, found.by_name) == (kind, False, True)
    assert value not in found.masked


def test_aws_credentials_by_name_are_critical() -> None:
    found = classify("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    assert found is not None
    assert (found.kind, found.critical) == ("AWS secret access key", True)


def test_a_format_wins_over_any_name() -> None:
    found = classify("TABLE_NAME", STRIPE)
    assert found is not None
    assert found.kind == "Stripe secret key"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # a bare AUTH holding a plain word names a mechanism
        ("AUTH", "cognito"),
        ("UPSTREAM_AUTH", "COGNITO_USER_POOLS"),
        ("AUTH_TYPE", "Zx81-kLp0-Qa5v"),
        ("PW", "${SmtpPassword}"),
        ("PW", "<your-password>"),
        # references and substitutions
        ("DB_PASSWORD", "{{resolve:ssm-secure:/app/db/password}}"),
        ("DB_PASSWORD", "/app/db/password"),
        ("DB_PASSWORD", "prod/orders/db"),
        ("DB_PASSWORD", "${DbPassword}"),
        ("DB_PASSWORD", "$DB_PASSWORD"),
        ("Authorization", "Basic ${Credentials}"),
        ("ClientToken", "{% $states.input.requestId %}"),
        ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"),
        # names that describe a secret
        ("SECRET_NAME", "orders-db-credentials"),
        ("TOKEN_TTL", "3600"),
        ("API_KEY_HEADER", "x-api-key"),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("JWT_ISSUER", "https://auth.example.com"),
        ("SIGNING_KEY_ALIAS", "alias/orders-signing"),
        # values that name a secret
        ("DB_SECRET", "payments-db-credentials"),
        ("STRIPE_KEY", "stripe_api_key"),
        # placeholders
        ("API_KEY", "<your-api-key>"),
        ("API_KEY", "REPLACE_ME_BEFORE_DEPLOY"),
        ("API_KEY", "API_KEY"),
        ("TOKEN", "xxxxxxxx"),
        ("PASSWORD", "********"),
        ("SECRET", "TODO-fill-in"),
        ("SECRET", "dummy-value-here"),
        # too short, not a string value, or not a credential at all
        ("PASSWORD", "abc"),
        ("USE_TOKEN", "true"),
        ("AUTH_TOKEN_URL", "https://auth.example.com/token"),
        ("TABLE_NAME", "AKIA-looking-but-not"),
        ("GREETING", "Winter2026!"),
    ],
)
def test_not_secrets_by_name(name: str, value: str) -> None:
    assert classify(name, value) is None


def test_names() -> None:
    assert secret_like_name("stripeApiKey")
    assert secret_like_name("client.secret")
    assert secret_like_name("x-auth-token")
    assert not secret_like_name("stripeApiKeyArn")
    assert not secret_like_name("tokenExpirySeconds")
    assert not secret_like_name("KEYBOARD_LAYOUT")


def test_references_and_secret_names() -> None:
    assert is_reference("{{resolve:secretsmanager:x}}")
    assert is_reference("arn:aws:ssm:us-east-1:123456789012:parameter/x")
    assert not is_reference("S3cr3t!")
    assert names_a_secret("orders-db-credentials")
    assert not names_a_secret("password")  # one word: a (terrible) password, not a name
    assert not names_a_secret("c0rrect-h0rse-battery")


def test_find_in_text_reports_every_secret_with_its_offsets() -> None:
    text = f"id = '{AWS_KEY_ID}'\nAWS_SECRET_ACCESS_KEY: {AWS_SECRET}\ntoken={GITHUB}\n"
    found = list(find_in_text(text))
    assert [m.kind for _, _, m in found] == ["AWS access key id", "AWS secret access key", "GitHub token"]
    assert [text[s:e] for s, e, _ in found] == [AWS_KEY_ID, AWS_SECRET, GITHUB]
    assert all(text[s:e] not in m.masked for s, e, m in found)


def test_mask_never_shows_the_whole_secret() -> None:
    assert mask("supersecretvalue") == "supe… (16 characters)"
    assert mask("hunter2!") == "hu… (8 characters)"
    assert mask("short1") == "… (6 characters)"
