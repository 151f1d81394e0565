"""``python -m remit``: the same as the ``remit`` command.

``python -m`` puts the current directory first on ``sys.path``; run inside a checkout of the repository being
scanned, every later import (PyYAML, rich, the SAM translator...) would first look for a module of that
repository's. So the current directory is taken off ``sys.path`` before anything else is imported. This cannot
protect the import of ``remit`` itself (it happened before this file ran): in a directory you do not trust,
run the ``remit`` command, or ``python -P -m remit`` (Python 3.11+, which never adds the directory).
"""

import os
import sys

_here = os.path.realpath(os.getcwd())
sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.realpath(p) != _here]

from remit.cli import entry  # noqa: E402 - only after the path is safe

entry()
