"""Shared by the S3 rules: what a bucket's own Block Public Access settings guarantee."""

from __future__ import annotations

from remit.model.entities import Bucket
from remit.model.values import present_options, truthy


def block_always_on(bucket: Bucket, *flags: str) -> bool:
    """One of ``flags`` is written as true on the bucket's PublicAccessBlockConfiguration, in every branch."""
    pab = bucket.public_access_block or {}
    for flag in flags:
        value = pab.get(flag)
        if value is None:
            continue
        branches = [truthy(v) for v in present_options(value)]
        if branches and all(b is True for b in branches):
            return True
    return False
