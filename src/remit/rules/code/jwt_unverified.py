"""RMT-CODE-013."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import IssueKind, Language
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import issue_hits, remediation

FIXES = {
    Language.PYTHON: ('Verify the token: jwt.decode(token, key, algorithms=["RS256"], audience=...) '
                      "with the issuer's public key (for Cognito, the user pool's JWKS through "
                      'jwt.PyJWKClient), or let an API Gateway JWT / Cognito authorizer verify it and '
                      'read the claims from requestContext.authorizer.'),
    Language.JAVASCRIPT: ('Verify the token: jsonwebtoken.verify(token, publicKey, {algorithms: '
                          '["RS256"], audience, issuer}), never jsonwebtoken.decode / jwt-decode; for '
                          "Cognito use aws-jwt-verify's CognitoJwtVerifier (or jose jwtVerify with "
                          "the pool's JWKS), or let an API Gateway JWT / Cognito authorizer verify it "
                          'and read the claims from requestContext.authorizer.'),
}


@rule(
    id="RMT-CODE-013",
    title="JSON Web Token trusted without verifying its signature",
    severity=Severity.HIGH,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("Anyone can write a token with the claims they want (another user's id, `cognito:groups` with `admin`, "
            "another tenant) and the function believes it: account takeover and privilege escalation without a "
            "password."),
    remediation=remediation(FIXES),
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html",
        "https://pyjwt.readthedocs.io/en/stable/usage.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-347",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """The code reads a JSON Web Token's claims without checking its signature.

    Python: ``jwt.decode(token, options={"verify_signature": False})``, PyJWT 1's ``verify=False``,
    python-jose's ``get_unverified_claims``. JavaScript: ``jsonwebtoken.decode``, ``jwt-decode`` and
    ``jose.decodeJwt`` in a file that never verifies, ``verify`` accepting the ``none`` algorithm. Both:
    base64-decoding ``token.split(".")[1]``. Each hands the caller's claims (user id, groups, tenant) to the
    code as if they were checked, and anyone can write a token with ``"cognito:groups": ["admin"]``. Reading
    the *header* unverified to choose a key (``get_unverified_header``) is normal and not reported.
    """
    yield from issue_hits(fn, an, IssueKind.JWT_UNVERIFIED, Severity.HIGH, fixes=FIXES)
