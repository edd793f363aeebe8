"""Compare two evaluation reports: metric deltas and the questions that got better or worse."""

from __future__ import annotations

from bot.evaluation.report import failure_reason

GROUPS = ("retrieval", "answer", "citations", "refusal", "latency_ms", "judge")


def compare(before: dict, after: dict) -> dict:
    deltas = {}
    for group in GROUPS:
        for key, new in after.get(group, {}).items():
            old = before.get(group, {}).get(key)
            if isinstance(new, (int, float)) and isinstance(old, (int, float)):
                deltas[f"{group}.{key}"] = {"before": old, "after": new, "delta": round(new - old, 4)}
    old_rows = {row["id"]: row for row in before.get("questions", [])}
    worse, better = [], []
    for row in after.get("questions", []):
        old = old_rows.get(row["id"])
        if old is None:
            continue
        was, now = failure_reason(old), failure_reason(row)
        if now and not was:
            worse.append({"id": row["id"], "question": row["question"], "why": now})
        elif was and not now:
            better.append({"id": row["id"], "question": row["question"], "was": was})
    return {"deltas": deltas, "worse": worse, "better": better}


def format_comparison(result: dict) -> str:
    lines = ["metric                              before    after    delta"]
    for name, d in result["deltas"].items():
        lines.append(f"{name:34} {d['before']:>8} {d['after']:>8} {d['delta']:>+8}")
    lines.append(f"\nworse ({len(result['worse'])}):")
    lines.extend(f"  - {r['id']}: {r['why']} — {r['question']}" for r in result["worse"])
    lines.append(f"better ({len(result['better'])}):")
    lines.extend(f"  + {r['id']}: was '{r['was']}' — {r['question']}" for r in result["better"])
    return "\n".join(lines)
