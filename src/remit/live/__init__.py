"""Live accounts: read a deployed serverless app from AWS, read-only, into the same model as a template.

Two steps, kept apart so that the analysis never needs credentials:

* :mod:`.collect` reads an account with read-only calls (boto3, paginated, botocore's standard retries) and
  writes a *snapshot*: a directory of JSON files (:mod:`.snapshot`), plus function and layer code when asked.
  An access-denied or unsupported call is recorded as an explicit unknown naming the missing permission.
* :mod:`.convert` turns a snapshot into a CloudFormation-shaped :class:`~remit.loaders.cloudformation.Document`
  of the deployed resources (logical ids from the ``aws:cloudformation:logical-id`` tag when present), whose
  :class:`~remit.source.SourceMap` places every resource at ``aws://ACCOUNT/REGION/SERVICE/RESOURCE``. The
  model builder, the rules and the attack graph then read it like any template (:mod:`.loader` hooks it into
  discovery and loading: a snapshot directory is recognised by its manifest file).
"""

from __future__ import annotations

from remit.live.snapshot import MANIFEST

__all__ = ["MANIFEST"]
