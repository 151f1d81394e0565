"""How fast remit scans real templates, and how that compares with a peer scanner (Checkov), in one run.

    python benchmarks/scan_speed.py [--corpus DIR] [--runs N] [--checkov PATH] [--remit PATH]

Fairness rules (see benchmarks/README.md):

* the same files: the templates under the corpus that remit recognises as CloudFormation or SAM (by content) are
  copied into one scratch directory, and both tools scan that directory;
* both restricted to CloudFormation/SAM (``checkov --framework cloudformation``), both writing JSON to a file;
* wall clock of the whole process (start-up, imports, discovery, parsing, checks, report), median of N runs,
  runs interleaved so that a slow minute of the machine hits both tools alike;
* start-up: ``remit --version`` against ``checkov --version``, median of N runs.

Checkov is not a dependency of remit. Install it anywhere (a throwaway virtualenv is best) and pass its
executable with ``--checkov`` or put it on PATH; without it only remit is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REMIT_SHARED", ROOT.parent / "shared"))
DEFAULT_CORPUS = SHARED / "corpora" / "serverless-patterns"


@dataclass(frozen=True)
class Tool:
    name: str
    version_cmd: tuple[str, ...]
    scan_cmd: tuple[str, ...]  # "{dir}" and "{out}" are filled in
    ok_codes: frozenset[int]


def template_files(corpus: Path) -> list[tuple[Path, str]]:
    """(path, relative path) of every file remit reads as a template, found the way a scan finds them."""
    from remit.loaders.cloudformation import load_template
    from remit.loaders.discover import discover

    return [(f.path, f.rel) for f in discover([corpus]).files if load_template(f).document is not None]


def stage(files: Sequence[tuple[Path, str]], into: Path) -> None:
    for path, rel in files:
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far, their own children included."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(cmd: Sequence[str], ok: frozenset[int], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Wall-clock seconds of one run; its CPU seconds (every process of it) are appended to ``cpu``."""
    before = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(cmd[:3])}... exited {done.returncode}:\n{tail}")
    if cpu is not None:
        cpu.append(children_cpu() - before)
    return elapsed


def fill(cmd: Sequence[str], directory: Path, out: Path) -> list[str]:
    return [part.replace("{dir}", str(directory)).replace("{out}", str(out)) for part in cmd]


def default_remit() -> str | None:
    beside = Path(sys.executable).parent / "remit"
    return str(beside) if beside.is_file() else shutil.which("remit")


def summarise(tool: str, out: Path) -> str:
    """What the tool reported on the last run, so a reader can see both really scanned the files."""
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "(no readable report)"
    if tool == "remit" and isinstance(data, dict):
        return f"{len(data.get('findings', []))} findings, {len(data.get('diagnostics', []))} diagnostics"
    reports = data if isinstance(data, list) else [data]
    parts = []
    for report in reports:
        summary = report.get("summary", {}) if isinstance(report, dict) else {}
        parts.append(f"{summary.get('resource_count', '?')} resources, {summary.get('failed', '?')} failed checks, "
                     f"{summary.get('parsing_errors', '?')} parsing errors")
    return "; ".join(parts) or "(empty report)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"templates to scan ({DEFAULT_CORPUS})")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported (5)")
    parser.add_argument("--remit", default=default_remit(), help="remit executable (default: beside this Python)")
    parser.add_argument("--checkov", default=shutil.which("checkov"),
                        help="Checkov executable (default: from PATH; omit to measure remit alone)")
    parser.add_argument("--marginal", action="store_true",
                        help="also scan two copies of the templates, to separate start-up from per-file cost")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers to FILE as JSON")
    args = parser.parse_args(argv)

    if not args.corpus.is_dir():
        print(f"corpus {args.corpus} not found: nothing to measure", file=sys.stderr)
        return 2
    if not args.remit:
        print("no remit executable found (pass --remit)", file=sys.stderr)
        return 2
    tools = [Tool("remit", (args.remit, "--version"),
                  (args.remit, "scan", "{dir}", "--no-config", "--fail-on", "none", "--format", "json",
                   "--output", "{out}"), frozenset({0}))]
    if args.checkov:
        tools.append(Tool("checkov", (args.checkov, "--version"),
                          (args.checkov, "--directory", "{dir}", "--framework", "cloudformation", "--output", "json",
                           "--output-file-path", "{out}", "--quiet", "--soft-fail", "--skip-download"),
                          frozenset({0})))
    else:
        print("checkov not found (pass --checkov PATH): measuring remit alone", file=sys.stderr)

    # without PYTHONDONTWRITEBYTECODE (set on some machines): each tool runs from its compiled bytecode, as an
    # installed package does, instead of compiling its own modules again in every run (~6 % of a remit scan)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"NO_COLOR": "1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "BC_SKIP_MAPPING": "TRUE"})
    env["REMIT_NO_CACHE"] = "1"  # cold, every run: kept SAM translations would make runs after the first cheaper
    files = template_files(args.corpus)
    with tempfile.TemporaryDirectory(prefix="remit-bench-") as scratch:
        work = Path(scratch) / "templates"
        stage(files, work)
        twice = Path(scratch) / "twice"
        if args.marginal:
            stage(files, twice / "a")
            stage(files, twice / "b")
        outs = {f"{t.name}{suffix}": Path(scratch) / f"{t.name}{suffix}" for t in tools for suffix in ("", "-twice")}
        for out in outs.values():
            out.mkdir()
        scans: dict[str, list[float]] = {t.name: [] for t in tools}
        doubled: dict[str, list[float]] = {t.name: [] for t in tools}
        starts: dict[str, list[float]] = {t.name: [] for t in tools}
        cpus: dict[str, list[float]] = {t.name: [] for t in tools}
        for tool in tools:  # once, untimed: compiles what is not compiled yet and warms the file cache
            out = outs[tool.name] / "report.json" if tool.name == "remit" else outs[tool.name]
            timed(fill(tool.scan_cmd, work, out), tool.ok_codes, env)
        for _ in range(args.runs):
            for tool in tools:
                # remit writes the file it is given; Checkov writes results_json.json into the directory it is given
                out = outs[tool.name] / "report.json" if tool.name == "remit" else outs[tool.name]
                scans[tool.name].append(timed(fill(tool.scan_cmd, work, out), tool.ok_codes, env, cpus[tool.name]))
                starts[tool.name].append(timed(tool.version_cmd, frozenset({0}), env))
                if args.marginal:
                    out2 = outs[f"{tool.name}-twice"]
                    out2 = out2 / "report.json" if tool.name == "remit" else out2
                    doubled[tool.name].append(timed(fill(tool.scan_cmd, twice, out2), tool.ok_codes, env))
        reports = {"remit": outs["remit"] / "report.json"}
        if "checkov" in outs:
            found = sorted(outs["checkov"].glob("*.json"))
            reports["checkov"] = found[0] if found else outs["checkov"] / "missing.json"
        notes = {name: summarise(name, path) for name, path in reports.items()}

    n = len(files)
    results: dict[str, dict[str, float]] = {}
    print(f"corpus: {args.corpus} ({n} templates), median of {args.runs} runs, machine: {os.cpu_count()} cores")
    print(f"{'tool':<8} {'scan s':>8} {'CPU s':>7} {'files/s':>9} {'start-up s':>11}  last report")
    for tool in tools:
        scan_s = statistics.median(scans[tool.name])
        cpu_s = statistics.median(cpus[tool.name])
        start_s = statistics.median(starts[tool.name])
        results[tool.name] = {"scan_seconds": scan_s, "cpu_seconds": cpu_s, "files_per_second": n / scan_s,
                              "startup_seconds": start_s}
        print(f"{tool.name:<8} {scan_s:>8.2f} {cpu_s:>7.2f} {n / scan_s:>9.1f} {start_s:>11.3f}  {notes[tool.name]}")
    if args.marginal:
        print(f"per-file cost once started (scan of {2 * n} templates minus scan of {n}):")
        for tool in tools:
            extra = statistics.median(doubled[tool.name]) - results[tool.name]["scan_seconds"]
            fixed = results[tool.name]["scan_seconds"] - extra
            results[tool.name].update({"marginal_files_per_second": n / extra, "fixed_seconds": fixed})
            print(f"{tool.name:<8} {1000 * extra / n:>6.1f} ms/file = {n / extra:>6.1f} files/s; "
                  f"fixed cost of a scan {fixed:.2f} s")
    if "checkov" in results:
        speed = results["checkov"]["scan_seconds"] / results["remit"]["scan_seconds"]
        startup = results["checkov"]["startup_seconds"] / results["remit"]["startup_seconds"]
        cpu = results["checkov"]["cpu_seconds"] / results["remit"]["cpu_seconds"]
        print(f"remit is {speed:.1f}x faster at scanning ({cpu:.1f}x less CPU time) and starts {startup:.0f}x faster "
              f"(goal: >= 10x, start-up < 0.3 s)")
        if args.marginal:
            ratio = results["remit"]["marginal_files_per_second"] / results["checkov"]["marginal_files_per_second"]
            print(f"once started, remit reads templates {ratio:.1f}x faster")
    if args.json:
        args.json.write_text(json.dumps({"templates": n, "runs": args.runs, "results": results}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
