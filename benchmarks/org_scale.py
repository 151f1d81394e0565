"""remit org at scale on one machine: N generated repositories through `--engine local` and `--engine dask`.

    .venv/bin/python benchmarks/org_scale.py [--repos 200] [--workers 2] [--engines local,dask] [--json out.json]

Each generated repository is a small SAM app (an API function with a Python handler, a queue consumer, a table,
a role with one broad statement), different in each repository so nothing is shared between scans. For each
engine the coordinator (`remit.org.run.run_plan`) runs in a fresh process that reports its own wall time and
peak resident memory (ru_maxrss of that process alone: the `remit scan` subprocesses are not counted; with the
dask engine the LocalCluster's workers are threads of the coordinator and are counted). Then an unchanged
re-run, which must run nothing. Needs the `dask` extra for the dask engine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api{n}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: !Ref Table{n}
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Table{n}
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /items/{{id}}
            Method: get
  Worker{n}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.worker
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:*
              Resource: '*'
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue{n}.Arn
  Queue{n}:
    Type: AWS::SQS::Queue
  Table{n}:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
      BillingMode: PAY_PER_REQUEST
"""

HANDLER = """import os
import subprocess

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    item_id = event["pathParameters"]["id"]
    return TABLE.get_item(Key={{"id": item_id + "-{n}"}})


def worker(event, context):
    for record in event["Records"]:
        subprocess.run("echo " + record["body"], shell=True)
"""


def generate(root: Path, count: int) -> None:
    for n in range(count):
        repo = root / f"service-{n:04d}"
        (repo / "src").mkdir(parents=True)
        (repo / "template.yaml").write_text(TEMPLATE.format(n=n))
        (repo / "src" / "app.py").write_text(HANDLER.format(n=n))
        (repo / "src" / "requirements.txt").write_text(f"requests=={2 + n % 3}.{n % 30}.0\n")


def coordinator(plan_file: Path, out: Path, engine: str, workers: int) -> None:
    """Run in a child process: the coordinator alone, then print its figures as JSON."""
    from remit.org.plan import read_plan
    from remit.org.run import config_digest, run_plan
    from remit.org.worker import Job

    plan = read_plan(plan_file)
    job = Job(out=str(out), config_digest=config_digest((), (), "bench"), retries=1, timeout=300)
    start = time.perf_counter()
    summary = run_plan(plan, job, engine, workers)
    wall = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": engine, "ran": len(summary.records), "skipped": len(summary.skipped),
                      "failed": len(summary.failed), "wall_s": round(wall, 1),
                      "coordinator_peak_mib": round(peak_mib)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="local,dask")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--coordinator", nargs=4, metavar=("PLAN", "OUT", "ENGINE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.coordinator:
        plan_file, out, engine, workers = args.coordinator
        coordinator(Path(plan_file), Path(out), engine, int(workers))
        return 0
    from remit.org.plan import build_plan, plan_text

    rows = []
    with tempfile.TemporaryDirectory(prefix="remit-org-bench-") as temporary:
        root = Path(temporary)
        generate(root / "repos", args.repos)
        start = time.perf_counter()
        plan = build_plan([root / "repos"])
        plan_s = time.perf_counter() - start
        (root / "plan.json").write_text(plan_text(plan))
        print(f"{args.repos} repositories generated; plan (digests) in {plan_s:.2f} s", flush=True)
        for engine in args.engines.split(","):
            out = root / f"out-{engine}"
            for run in ("first", "unchanged re-run"):
                child = subprocess.run([sys.executable, __file__, "--coordinator", str(root / "plan.json"),
                                        str(out), engine, str(args.workers)],
                                       capture_output=True, text=True, check=True)
                row = {**json.loads(child.stdout.strip().splitlines()[-1]), "run": run}
                rows.append(row)
                print(f"{engine:6} {run:17} ran {row['ran']:4}, skipped {row['skipped']:4}, failed {row['failed']}: "
                      f"{row['wall_s']:7.1f} s wall, coordinator peak {row['coordinator_peak_mib']} MiB", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"repos": args.repos, "workers": args.workers, "plan_s": round(plan_s, 2),
                                         "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
