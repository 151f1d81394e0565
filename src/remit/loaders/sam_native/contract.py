"""What "the same expansion as the translator's" means, as text two expansions can be compared by.

Everything is compared key for key and in order, except what :mod:`.rest_api` documents as different by
design: the order of keys inside an API's OpenAPI document (the ``Body`` of a ``RestApi`` or an HTTP API) and
the digest that names
an API's ``Deployment`` (the ten characters after ``...Deployment`` in its logical id and every reference to it,
and the forty in its ``Description``). :func:`comparable` writes those parts in one canonical form: the document
with sorted keys, the digests replaced by a mark."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_API_TYPES = ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
_DEPLOYMENT_ID = re.compile(r"([A-Za-z0-9]+Deployment)[0-9a-f]{10}\b")
_DEPLOYMENT_DIGEST = re.compile(r"RestApi deployment id: [0-9a-f]{40}")


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def comparable(expanded: Mapping[str, Any]) -> str:
    """The JSON text of an expanded template with the parts allowed to differ in their canonical form."""
    resources = expanded.get("Resources")
    if isinstance(resources, Mapping):
        resources = {
            lid: ({**res, "Properties": {**res["Properties"], "Body": _sorted(res["Properties"]["Body"])}}
                  if isinstance(res, Mapping) and res.get("Type") in _API_TYPES
                  and isinstance(res.get("Properties"), Mapping) and "Body" in res["Properties"] else res)
            for lid, res in resources.items()}
        expanded = {**expanded, "Resources": resources}
    text = json.dumps(expanded, indent=1)
    text = _DEPLOYMENT_DIGEST.sub("RestApi deployment id: <digest>", text)
    return _DEPLOYMENT_ID.sub(r"\1<digest>", text)
