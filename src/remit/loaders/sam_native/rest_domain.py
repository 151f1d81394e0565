"""A REST API's custom ``Domain``, as aws-sam-translator writes it: an ``AWS::ApiGateway::DomainName`` named by a
digest of the domain name (with mutual TLS when asked), and a base path mapping per ``BasePath`` (one without).
Refused: Route 53 records, private domains (the translator's second domain model), and values it resolves from
parameters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic, refers_to_parameters

_KEYS = frozenset({"DomainName", "CertificateArn", "EndpointConfiguration", "BasePath", "NormalizeBasePath",
                   "SecurityPolicy", "IpAddressType", "OwnershipVerificationCertificateArn",
                   "MutualTlsAuthentication"})
_DOMAIN_ORDER = ("RegionalCertificateArn", "DomainName", "EndpointConfiguration", "MutualTlsAuthentication",
                 "SecurityPolicy", "CertificateArn", "OwnershipVerificationCertificateArn")


def check_domain(domain: Any, parameters: Mapping[str, Any]) -> None:
    """Refuse a ``Domain`` not reproduced here or that the translator rejects."""
    if domain is None:
        return
    if not isinstance(domain, dict) or is_intrinsic(domain) or set(domain) - _KEYS:
        raise Refused("Api: Domain")
    if refers_to_parameters(domain, parameters):
        raise Refused("Api: Domain refers to a parameter (the translator resolves it)")
    if domain.get("DomainName") is None or domain.get("CertificateArn") is None:
        raise Refused("Api: Domain without DomainName or CertificateArn (the translator rejects it)")
    if domain.get("EndpointConfiguration", "REGIONAL") not in ("REGIONAL", "EDGE"):
        raise Refused("Api: Domain EndpointConfiguration other than REGIONAL or EDGE")
    paths = domain.get("BasePath")
    if paths is not None and not isinstance(paths, str) and not (
            isinstance(paths, list) and all(isinstance(path, str) for path in paths)):
        raise Refused("Api: Domain BasePath is not a string or a list of strings")
    if not isinstance(domain.get("NormalizeBasePath", True), bool):
        raise Refused("Api: Domain NormalizeBasePath is not a boolean")
    tls = domain.get("MutualTlsAuthentication")
    if tls and (not isinstance(tls, dict) or is_intrinsic(tls) or set(tls) - {"TruststoreUri", "TruststoreVersion"}):
        raise Refused("Api: Domain MutualTlsAuthentication the translator rejects")


def domain_id(domain: Mapping[str, Any]) -> str:
    """The logical id SAM gives the domain: a digest of its name (as text, or as the JSON of an intrinsic); an
    empty name has no digest."""
    name = domain["DomainName"]
    text = name if isinstance(name, str) else json.dumps(name, separators=(",", ":"), sort_keys=True)
    return "ApiGatewayDomainName" + (hashlib.sha1(text.encode("utf8")).hexdigest()[:10] if text else "")


def domain_resources(api: str, stage: str, domain: Mapping[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The domain and its base path mappings, after the API's own resources."""
    if domain is None:
        return []
    name_id = domain_id(domain)
    endpoint = domain.get("EndpointConfiguration", "REGIONAL")
    written: dict[str, Any] = {"DomainName": domain["DomainName"], "EndpointConfiguration": {"Types": [endpoint]}}
    written["RegionalCertificateArn" if endpoint == "REGIONAL" else "CertificateArn"] = domain["CertificateArn"]
    if domain.get("IpAddressType"):
        written["EndpointConfiguration"]["IpAddressType"] = domain["IpAddressType"]
    tls = domain.get("MutualTlsAuthentication")
    if tls:
        written["MutualTlsAuthentication"] = {name: tls[name] for name in ("TruststoreUri", "TruststoreVersion")
                                              if tls.get(name)}
    for name in ("SecurityPolicy", "OwnershipVerificationCertificateArn"):
        if domain.get(name):
            written[name] = domain[name]
    made = [(name_id, {"Type": "AWS::ApiGateway::DomainName",
                       "Properties": {name: written[name] for name in _DOMAIN_ORDER if name in written}})]
    paths = domain.get("BasePath")
    listed = [paths] if isinstance(paths, str) and paths else paths if isinstance(paths, list) and paths else None
    target = {"DomainName": {"Ref": name_id}, "RestApiId": {"Ref": api}, "Stage": {"Ref": stage}}
    if listed is None:
        made.append((f"{api}BasePathMapping", {"Type": "AWS::ApiGateway::BasePathMapping", "Properties": target}))
        return made
    for path in listed:
        plain = "".join(char for char in path if char.isalnum())
        mapped = plain if domain.get("NormalizeBasePath", True) else path
        made.append((f"{api}{plain}BasePathMapping", {"Type": "AWS::ApiGateway::BasePathMapping",
                                                     "Properties": {"BasePath": mapped, **target}}))
    return made
