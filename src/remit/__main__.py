"""``python -m remit``: the same as the ``remit`` command."""

from remit.cli import entry

entry()
