"""How remit's full scan scales with the size of an application, against Checkov on the same files, in one run.

    python benchmarks/scaling.py [--sizes 10,100,1000] [--big] [--checkov PATH] [--runs N] [--json FILE]

Generates a SAM application of N functions into a scratch directory: each function has an ``Api`` event (its
own route on the implicit REST API), an inline policy of three statements, its own handler file and its own
``requirements.txt``. Then times, per size, remit's full scan (templates, code, dependencies, IAM, attack
paths; JSON report to a file) and, with ``--checkov``, Checkov's CloudFormation scan of the same directory,
each as a whole process from ``exec`` to exit. Prints wall-clock seconds, milliseconds per function, peak
resident memory and the ratios. remit runs cold (``REMIT_NO_CACHE``); the "warm" column is a re-scan of the
unchanged app with the SAM translations a first scan kept in a scratch cache. ``--big`` adds N = 5,000.

Peak memory is the largest resident set of any process of the run (the main process, or a helper it starts),
read with ``getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process per measurement, so one run cannot hide
another's peak.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HANDLER = '''import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    key = event["pathParameters"]["id"]
    item = TABLE.get_item(Key={{"id": key}}).get("Item")
    boto3.client("s3").put_object(Bucket=os.environ["BUCKET"], Key=f"seen/{{key}}", Body=b"{index}")
    return {{"statusCode": 200, "body": json.dumps(item, default=str)}}
'''

REQUIREMENTS = "requests==2.31.0\nPyYAML==6.0.1\n"

# Runs the command given in argv and prints the peak resident set (KiB on Linux) of every process it waited for
# and their CPU seconds (user + system, all of them together).
_WRAPPER = ("import resource, subprocess, sys; "
            "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
            "sys.stderr.buffer.write(done.stderr[-2000:]); "
            "used = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(done.returncode, used.ru_maxrss, used.ru_utime + used.ru_stime)")


def template(n: int) -> dict[str, object]:
    resources: dict[str, object] = {
        "Table": {"Type": "AWS::Serverless::SimpleTable"},
        "Bucket": {"Type": "AWS::S3::Bucket"},
    }
    for i in range(n):
        resources[f"Fn{i}"] = {"Type": "AWS::Serverless::Function", "Properties": {
            "CodeUri": f"functions/fn{i}/",
            "Handler": "app.handler",
            "Environment": {"Variables": {"TABLE": {"Ref": "Table"}, "BUCKET": {"Ref": "Bucket"}}},
            "Policies": [{"Statement": [
                {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                 "Resource": {"Fn::GetAtt": ["Table", "Arn"]}},
                {"Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/seen/*"}},
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
            ]}],
            "Events": {"Get": {"Type": "Api", "Properties": {"Path": f"/items{i}/{{id}}", "Method": "get"}}},
        }}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"Runtime": "python3.12", "Timeout": 10, "MemorySize": 256}},
        "Resources": resources,
    }


def generate(n: int, into: Path) -> None:
    """A SAM application of ``n`` functions under ``into`` (template.json, functions/fn<i>/)."""
    into.mkdir(parents=True)
    (into / "template.json").write_text(json.dumps(template(n), indent=1), encoding="utf-8")
    for i in range(n):
        code = into / "functions" / f"fn{i}"
        code.mkdir(parents=True)
        (code / "app.py").write_text(HANDLER.format(index=i), encoding="utf-8")
        (code / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    cpu_seconds: float


def measured(cmd: Sequence[str], env: Mapping[str, str]) -> Run:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    fields = done.stdout.decode().split()
    if len(fields) != 3 or fields[0] != "0":
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(cmd[:3])}... failed ({done.stdout.decode().strip()}):\n{tail}")
    return Run(elapsed, int(fields[1]) / 1024, float(fields[2]))


def default_remit() -> str | None:
    beside = Path(sys.executable).parent / "remit"
    return str(beside) if beside.is_file() else shutil.which("remit")


def commands(remit: str, checkov: str | None, app: Path, out: Path, extra: Sequence[str]) -> dict[str, list[str]]:
    found = {"remit": [remit, "scan", str(app), "--no-config", "--fail-on", "none", "--format", "json",
                       "--output", str(out / "remit.json"), *extra]}
    if checkov:
        found["checkov"] = [checkov, "--directory", str(app), "--framework", "cloudformation", "--output", "json",
                            "--output-file-path", str(out / "checkov"), "--quiet", "--soft-fail", "--skip-download"]
    return found



def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated function counts (10,100,1000)")
    parser.add_argument("--big", action="store_true", help="also N = 5000")
    parser.add_argument("--runs", type=int, default=1, help="runs per size and tool; the median is reported (1)")
    parser.add_argument("--remit", default=default_remit(), help="remit executable (default: beside this Python)")
    parser.add_argument("--checkov", default=None, help="Checkov executable; omit to measure remit alone")
    parser.add_argument("--remit-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for remit scan (repeatable), e.g. --remit-arg=--no-parallel")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers to FILE as JSON")
    args = parser.parse_args(argv)
    if not args.remit:
        print("no remit executable found (pass --remit)", file=sys.stderr)
        return 2
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] + ([5000] if args.big else [])
    # without PYTHONDONTWRITEBYTECODE (set on some machines): each tool runs from its compiled bytecode, as an
    # installed package does, instead of compiling its own modules again in every run (~6 % of a remit scan)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"NO_COLOR": "1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "BC_SKIP_MAPPING": "TRUE"})
    env["REMIT_NO_CACHE"] = "1"  # cold: what a first scan costs (the warm column is measured on its own)
    tools = ["remit", *(["checkov"] if args.checkov else [])]
    print(f"machine: {os.cpu_count()} cores; median of {args.runs} run(s); peak RSS of the largest process; "
          f"CPU s of all its processes")
    print(f"{'N':>6} " + " ".join(f"{t + ' s':>11} {'ms/fn':>7} {'CPU s':>7} {'MiB':>6}" for t in tools)
          + "  remit warm s" + ("   checkov/remit time   CPU  remit/checkov memory" if args.checkov else ""))
    results: dict[int, dict[str, dict[str, float]]] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="remit-scaling-") as scratch:
            app, out = Path(scratch) / "app", Path(scratch) / "out"
            generate(n, app)
            out.mkdir()
            cmds = commands(args.remit, args.checkov, app, out, args.remit_arg)
            runs: dict[str, list[Run]] = {t: [] for t in [*tools, "warm"]}
            if n == sizes[0]:  # once, untimed: compiles what is not compiled yet
                for tool in tools:
                    measured(cmds[tool], env)
            for _ in range(args.runs):
                for tool in tools:  # alternate, so a busy moment of the machine hits both
                    runs[tool].append(measured(cmds[tool], env))
            # a re-scan of the unchanged app with SAM translations kept in a cache from a first scan
            warm = {**{k: v for k, v in env.items() if k != "REMIT_NO_CACHE"}, "REMIT_CACHE_DIR": str(out / "cache")}
            measured(cmds["remit"], warm)
            runs["warm"] = [measured(cmds["remit"], warm) for _ in range(args.runs)]
        row = {t: {"seconds": statistics.median(r.seconds for r in runs[t]),
                   "cpu_seconds": statistics.median(r.cpu_seconds for r in runs[t]),
                   "peak_mib": statistics.median(r.peak_mib for r in runs[t])} for t in [*tools, "warm"]}
        results[n] = row
        line = f"{n:>6} " + " ".join(f"{row[t]['seconds']:>11.2f} {1000 * row[t]['seconds'] / n:>7.1f} "
                                     f"{row[t]['cpu_seconds']:>7.2f} {row[t]['peak_mib']:>6.0f}" for t in tools)
        line += f"  {row['warm']['seconds']:>12.2f}"
        if args.checkov:
            line += (f"   {row['checkov']['seconds'] / row['remit']['seconds']:>17.1f}x"
                     f" {row['checkov']['cpu_seconds'] / row['remit']['cpu_seconds']:>5.1f}x"
                     f"  {row['remit']['peak_mib'] / row['checkov']['peak_mib']:>19.2f}")
        print(line, flush=True)
    if args.json:
        args.json.write_text(json.dumps({"runs": args.runs, "results": results}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
