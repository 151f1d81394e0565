"""How many SAM templates remit expands itself, why it refuses the rest, and what each way costs.

    .venv/bin/python benchmarks/sam_native.py [--corpus DIR ...] [--top N]

For every SAM template under each corpus folder (found and prepared the way a scan finds and prepares them), the
native expansion (``remit.loaders.sam_native``) is tried; a template it refuses is counted under the refusal's
reason, and an accepted one is also translated by aws-sam-translator and compared as JSON text, in the form
``remit.loaders.sam_native.contract.comparable`` gives (a difference is printed: it would be a bug). The table
gives, per folder: SAM templates, expanded natively, refused, the
milliseconds per template each way (translator timed after its import), and the translator's import time,
which a scan pays once when any template goes to the translator. No peer: the translator is the reference.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REMIT_SHARED", ROOT.parent / "shared"))
DEFAULT = [SHARED / "corpora" / "serverless-patterns", SHARED / "corpora" / "sam-translator-tests"]


def _templates(base: Path) -> list[tuple[str, dict[str, Any]]]:
    from remit.loaders import sam
    from remit.loaders.cloudformation import load_template
    from remit.loaders.discover import discover

    found = []
    for file in discover([base]).files:
        loaded = load_template(file)
        if loaded.document is not None and loaded.document.kind.name == "SAM":
            template, _, _ = sam._prepare(loaded.document, base)  # the scan's own preparation
            found.append((file.rel, template))
    return found


def _per(seconds: float, count: int) -> str:
    return f"{seconds / count * 1000:.2f}" if count else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, action="append", help="a folder of templates (repeatable)")
    parser.add_argument("--top", type=int, default=12, help="refusal reasons to list per folder (12)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    importlib.import_module("samtranslator.translator.translator")
    import_seconds = time.perf_counter() - start

    from remit.loaders import sam, sam_native
    from remit.loaders.sam import clone
    from remit.loaders.sam_native.contract import comparable

    translator = sam._translator()  # the scan's own translator set-up
    print(f"aws-sam-translator import: {import_seconds:.2f} s (paid once by a scan that translates anything)")
    print(f"{'folder':<24} {'SAM':>5} {'native':>7} {'refused':>8} {'native ms':>10} {'translator ms':>14}")
    mismatches = 0
    for base in args.corpus or DEFAULT:
        if not base.is_dir():
            print(f"{base.name:<24} absent")
            continue
        reasons: Counter[str] = Counter()
        native_s = translator_s = 0.0
        accepted = 0
        templates = _templates(base)
        for rel, template in templates:
            t0 = time.perf_counter()
            try:
                native = clone(sam_native.expand(clone(template)))
            except sam_native.Refused as refused:
                reasons[refused.reason] += 1
                continue
            t1 = time.perf_counter()
            translator.document_errors = []
            try:
                expected = clone(translator.translate(sam_template=clone(template), parameter_values={},
                                                      passthrough_metadata=True))
            except Exception as exc:  # noqa: BLE001 - report it, go on
                print(f"  ! {rel}: expanded natively, but the translator rejects it: {exc}")
                mismatches += 1
                continue
            t2 = time.perf_counter()
            accepted += 1
            native_s += t1 - t0
            translator_s += t2 - t1
            if comparable(native) != comparable(expected):
                print(f"  ! {rel}: the native expansion differs from the translator's")
                mismatches += 1
        print(f"{base.name:<24} {len(templates):>5} {accepted:>7} {sum(reasons.values()):>8} "
              f"{_per(native_s, accepted):>10} {_per(translator_s, accepted):>14}")
        for reason, count in reasons.most_common(args.top):
            print(f"    {count:>4}  {reason}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
