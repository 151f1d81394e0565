"""Diagnostics: what remit could not read or decide, said plainly, without stopping the scan."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"  # an input (or a part of it) was not analysed
    WARNING = "warning"  # analysed, but something was skipped or approximated
    INFO = "info"  # worth knowing, nothing lost


#: Codes that say part of the infrastructure as written was not read at all (a CDK app never synthesised, a
#: Terraform module ``terraform init`` did not download, a Serverless fragment or shape remit cannot read, an
#: ``AWS::Include`` snippet or nested stack template it cannot read, an unexpanded ``Fn::ForEach``): the headline
#: of every report names them, since nothing there was checked.
NOT_READ = frozenset({"cdk-not-synthesised", "module-not-read", "serverless-not-read", "foreach-not-expanded",
                      "include-not-read", "nested-stack-not-read"})
#: Codes that say a value remit needed is unknown (an unresolved variable, a count or for_each it could not
#: decide): results that depend on it may be incomplete.
UNRESOLVED = frozenset({"unresolved-variable", "terraform-unknown"})


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One message about an input. ``path`` is relative to the scanned root; ``line`` is None when the
    message is about the whole file (or about no file: ``path`` is then empty)."""

    path: str
    level: Level
    code: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else (self.path or "remit")
        return f"{where}: {self.level.value}: {self.message} [{self.code}]"
