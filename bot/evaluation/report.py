"""Report files: report.json, report.md (with the worst questions), questions.csv and PNG charts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CHARTS = ("metrics.png", "hit_at_k.png", "latency.png")


# The reasons of failure_reason, for people (the web app's evaluation tab).
FAILURES_VI = {
    "refused an answerable question": "Từ chối câu hỏi mà tài liệu có câu trả lời",
    "answered an unanswerable question": "Trả lời câu hỏi mà tài liệu không có thông tin",
    "no relevant passage in the top 5": "Không có đoạn liên quan trong 5 đoạn tìm được đầu tiên",
    "cited only irrelevant passages": "Chỉ dẫn nguồn các đoạn không liên quan",
}


def failure_reason(row: dict) -> str | None:
    """Why a question failed, in English for evaluators' logs (FAILURES_VI for people); None when it passed."""
    if row["answerable"] and row["refused"]:
        return "refused an answerable question"
    if not row["answerable"] and not row["refused"]:
        return "answered an unanswerable question"
    if row["answerable"] and not row.get("hit@5"):
        return "no relevant passage in the top 5"
    if row["answerable"] and row.get("citation_precision", 1.0) == 0.0:
        return "cited only irrelevant passages"
    return None


def markdown(report: dict) -> str:
    lines = [f"# Evaluation: {report.get('title', '')}", "",
             f"{report['n']} questions ({report['n_answerable']} answerable).", ""]
    for group in ("retrieval", "answer", "citations", "refusal", "latency_ms"):
        lines.append(f"## {group}")
        lines.extend(f"- {key}: {value}" for key, value in report[group].items())
        lines.append("")
    judge = report.get("judge")
    if judge:
        lines.append("## judge — model-judged (LLM), not a human grade")
        if judge.get("skipped"):
            lines.append(f"- skipped: {judge['skipped']}")
        else:
            lines += [f"- model: {judge['model']}", f"- mean_score (1–5): {judge['mean_score']}",
                      f"- graded questions: {judge['n']}", f"- replies without a readable grade: {judge['unparsed']}"]
        lines.append("")
    lines.append("## Failures")
    for row in report["questions"]:
        why = failure_reason(row)
        if why:
            lines.append(f"- **{row['id']}** ({why}): {row['question']}\n  - expected: {row['expected'] or '(refusal)'}\n"
                         f"  - got: {row['answer'][:300]}\n  - retrieved: {'; '.join(row['retrieved'][:3])}")
    return "\n".join(lines) + "\n"


def _bar_chart(report: dict, path: Path) -> None:
    values = {**{f"retrieval {k}": v for k, v in report["retrieval"].items()},
              **{f"answer {k}": v for k, v in report["answer"].items()},
              **{f"citations {k}": v for k, v in report["citations"].items()},
              "refusal accuracy": report["refusal"]["accuracy"]}
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.barh(list(values), list(values.values()), color="#2b6cb0")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_title("Metrics")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _hit_curve(report: dict, path: Path) -> None:
    ks = sorted(int(key.split("@")[1]) for key in report["retrieval"] if key.startswith("hit@"))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(ks, [report["retrieval"][f"hit@{k}"] for k in ks], marker="o")
    ax.set_xlabel("k")
    ax.set_ylabel("hit@k")
    ax.set_ylim(0, 1.02)
    ax.set_title("hit@k")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _latency_histogram(report: dict, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist([row["latency_ms"] for row in report["questions"]], bins=20, color="#38a169")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency per question")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(report: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "report.md").write_text(markdown(report), encoding="utf-8")
    rows = report["questions"]
    with open(out_dir / "questions.csv", "w", newline="", encoding="utf-8") as handle:
        keys = sorted({key for row in rows for key in row}, key=lambda key: (key not in rows[0], key)) if rows else []
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerows({key: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for key, v in r.items()}
                         for r in rows)
    for name, draw in zip(CHARTS, (_bar_chart, _hit_curve, _latency_histogram)):
        draw(report, out_dir / name)
