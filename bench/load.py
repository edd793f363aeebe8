"""Concurrent users against the running web server over 127.0.0.1: errors, throughput, p50/p95 latency.

Starts ``python -m bot serve`` on a free port over a fresh temporary index of ``--corpus`` (the repo's
embedding cache is copied in, so nothing is embedded twice), then:

(a) baseline: one user asks ``--questions`` questions in a row (the same questions the users ask);
(b) load:     ``--users`` users ask ``--questions`` each, all at once, through ``POST /api/ask``.

Reported: errors (any non-200 or transport failure: must be 0), throughput (answers/s), p50/p95 latency,
and the ratios (b)/(a) of p50 latency and of throughput. Answers that came back with the "đang bận"
fallback (the model was held by other questions past ``llm.busy_wait_s``) are counted apart: they are
answers (quotes), not errors. The run is bounded: ``--max-seconds`` stops the users (unfinished questions
are reported as not asked).

    PYTHONPATH=. python bench/load.py --backend extractive --users 20 --questions 10
    PYTHONPATH=. python bench/load.py --backend llamacpp --users 4 --questions 2 --busy-wait 60

The per-client rate limit is turned off for the run (every user comes from 127.0.0.1).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import REPO_ROOT, percentile, print_table, write_result

from bot.evaluation.testset import load_testset


@contextlib.contextmanager
def running_server(corpus: Path, backend: str, busy_wait_s: float, timeout_s: float):
    """A ``bot serve`` subprocess on 127.0.0.1 over a temporary index; yields (base URL, server pid)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    (tmp / "index").mkdir()
    cache = REPO_ROOT / "index" / "embedding_cache.sqlite"
    if cache.is_file():
        shutil.copy(cache, tmp / "index" / "embedding_cache.sqlite")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update({"ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False", "BOT_UI__RATE_LIMIT": "",
                "BOT_ANSWER__BACKEND": backend, "BOT_LLM__BUSY_WAIT_S": str(busy_wait_s),
                "BOT_LLM__TIMEOUT_S": str(timeout_s), "BOT_LOG_LEVEL": "WARNING"})
    log = open(tmp / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--corpus", str(corpus),
                                "--index", str(tmp / "index")], cwd=REPO_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 900
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited:\n{(tmp / 'server.log').read_text()[-3000:]}")
            try:
                urllib.request.urlopen(url + "/api/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("server did not start in 900 s") from None
                time.sleep(1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def ask(url: str, question: str, timeout_s: float) -> dict:
    """One question; never raises: {"ok", "status", "seconds", "busy", "refused", "backend", "error"}."""
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(url + "/api/ask", data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data = json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as exc:
        return {"ok": False, "status": exc.code, "seconds": time.perf_counter() - started,
                "error": exc.read().decode(errors="replace")[:200]}
    except (OSError, ValueError) as exc:
        return {"ok": False, "status": None, "seconds": time.perf_counter() - started, "error": repr(exc)[:200]}
    return {"ok": status == 200, "status": status, "seconds": time.perf_counter() - started,
            "busy": "đang bận" in (data.get("fallback_reason") or ""), "refused": data.get("refused"),
            "backend": data.get("backend"), "error": None}


def run_users(url: str, questions: list[str], users: int, per_user: int, timeout_s: float,
              max_seconds: float) -> tuple[list[dict], float, int]:
    """All users at once, each asking ``per_user`` questions in a row; (results, wall s, questions not asked)."""
    stop_at = time.perf_counter() + max_seconds
    results: list[dict] = []
    skipped = 0
    lock = threading.Lock()
    start = threading.Barrier(users)

    def user(number: int) -> None:
        nonlocal skipped
        start.wait()
        for i in range(per_user):
            if time.perf_counter() > stop_at:
                with lock:
                    skipped += per_user - i
                return
            result = ask(url, questions[(number * per_user + i) % len(questions)], timeout_s)
            with lock:
                results.append(result)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(user, range(users)))
    return results, time.perf_counter() - started, skipped


def summary(results: list[dict], wall_s: float, skipped: int) -> dict:
    seconds = [r["seconds"] for r in results if r["ok"]]
    return {
        "asked": len(results), "not_asked": skipped,
        "errors": sum(1 for r in results if not r["ok"]),
        "error_samples": sorted({f"{r['status']}: {r['error']}" for r in results if not r["ok"]})[:5],
        "busy_answers": sum(1 for r in results if r.get("busy")),
        "refused": sum(1 for r in results if r.get("refused")),
        "backends": sorted({r["backend"] for r in results if r.get("backend")}),
        "wall_s": round(wall_s, 2),
        "throughput_per_s": round(len(seconds) / wall_s, 3) if wall_s else None,
        "p50_s": round(percentile(seconds, 0.5), 3), "p95_s": round(percentile(seconds, 0.95), 3),
        "max_s": round(max(seconds), 3) if seconds else None,
    }


def server_rss_mib(pid: int) -> float | None:
    """Peak RSS of the server process so far (VmHWM), from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="extractive", choices=["extractive", "llamacpp", "openai", "ollama"])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="questions per user")
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "corpus")
    parser.add_argument("--testset", type=Path, default=REPO_ROOT / "evals" / "testsets" / "seed.jsonl")
    parser.add_argument("--busy-wait", type=float, default=60.0, help="llm.busy_wait_s for the server")
    parser.add_argument("--llm-timeout", type=float, default=120.0, help="llm.timeout_s for the server")
    parser.add_argument("--request-timeout", type=float, default=600.0, help="client-side limit per question")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="bound on the load phase")
    args = parser.parse_args()

    questions = [item.question for item in load_testset(args.testset) if not item.history]
    with running_server(args.corpus, args.backend, args.busy_wait, args.llm_timeout) as (url, pid):
        ask(url, questions[0], args.request_timeout)  # warm-up: model loads, caches fill
        base_results, base_wall, base_skipped = run_users(url, questions, 1, args.questions, args.request_timeout,
                                                          args.max_seconds)
        load_results, load_wall, load_skipped = run_users(url, questions, args.users, args.questions,
                                                          args.request_timeout, args.max_seconds)
        rss = server_rss_mib(pid)
    baseline = summary(base_results, base_wall, base_skipped)
    loaded = summary(load_results, load_wall, load_skipped)
    ratios = {"p50_latency": round(loaded["p50_s"] / baseline["p50_s"], 2) if baseline["p50_s"] else None,
              "throughput": (round(loaded["throughput_per_s"] / baseline["throughput_per_s"], 2)
                             if baseline["throughput_per_s"] else None)}
    keys = ["asked", "not_asked", "errors", "busy_answers", "refused", "wall_s", "throughput_per_s", "p50_s",
            "p95_s", "max_s"]
    print(f"backend {args.backend}; {args.users} users x {args.questions} questions; server peak RSS {rss} MiB")
    print_table(["", "(a) 1 user", f"(b) {args.users} users"], [[k, baseline[k], loaded[k]] for k in keys])
    print(f"ratios (b)/(a): p50 latency {ratios['p50_latency']}, throughput {ratios['throughput']}")
    for sample in loaded["error_samples"]:
        print("error:", sample)
    path = write_result(f"load-{args.backend}", {
        "backend": args.backend, "users": args.users, "questions_per_user": args.questions,
        "busy_wait_s": args.busy_wait, "llm_timeout_s": args.llm_timeout, "corpus": str(args.corpus),
        "baseline_one_user": baseline, "load": loaded, "ratios": ratios, "server_peak_rss_mib": rss,
        "checks": {"no_errors": loaded["errors"] == 0 and baseline["errors"] == 0},
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
