"""remit: finds what an attacker would use in a serverless application on AWS.

The public entry points are :func:`remit.api.scan` and the ``remit`` command line (:mod:`remit.cli`).
Nothing heavy is imported here, so ``remit --version`` stays fast.
"""

__version__ = "0.1.0"
