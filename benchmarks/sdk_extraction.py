#!/usr/bin/env python3
"""How fast and how robust boto3 call extraction is, and how much of botocore maps to IAM actions.

Usage: ``.venv/bin/python benchmarks/sdk_extraction.py [DIR ...]`` (default: the site-packages of the running
interpreter: botocore, boto3, s3transfer, the SAM translator and every other installed library — real code
that passes clients around). Prints modules read, time per module (extraction and, for scale, the tree walk
alone), calls found by service, calls remit could not name, and the operation -> action coverage of the index.
Not a test: nothing here asserts; figures go into docs/least-privilege.md.
"""

from __future__ import annotations

import argparse
import ast
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

from remit.code.sdk import DYNAMIC, boto3_calls, index
from remit.code.sdk.required import base_actions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=[Path(sysconfig.get_paths()["purelib"])])
    args = parser.parse_args(argv)
    trees: list[tuple[str, ast.Module]] = []
    for directory in args.dirs:
        for path in sorted(directory.rglob("*.py")):
            try:
                trees.append((str(path), ast.parse(path.read_text(encoding="utf-8"))))
            except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, OSError):
                continue
    if not trees:
        print("no Python modules found", file=sys.stderr)
        return 2
    started = time.perf_counter()
    for _, tree in trees:
        for _node in ast.walk(tree):
            pass
    walk = time.perf_counter() - started
    started = time.perf_counter()
    services: Counter[str] = Counter()
    dynamic = 0
    for name, tree in trees:
        for call in boto3_calls(tree, name):
            services[call.service] += 1
            dynamic += call.operation == DYNAMIC
    took = time.perf_counter() - started
    per = 1000 / len(trees)
    print(f"{len(trees)} modules: extraction {took * per:.2f} ms per module (tree walk alone {walk * per:.2f} ms)")
    print(f"{sum(services.values())} calls, {dynamic} not named; by service: {services.most_common(10)}")
    total = unmapped = mapped = 0
    for service, entry in index.data()["services"].items():
        total += len(entry["ops"])
        for op in entry.get("unmapped", ()):
            unmapped += 1
            mapped += base_actions(service, op, {})[2]
    print(f"{total} operations: {total - unmapped} are their own action, {mapped} mapped by the override table, "
          f"{100 * (total - unmapped + mapped) / total:.1f} % known")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
