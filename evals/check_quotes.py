#!/usr/bin/env python3
"""Validate a JSONL test set against the corpus it quotes.

Usage:
    python evals/check_quotes.py evals/testsets/seed.jsonl \
        --corpus /work/shared/seeds --corpus /work/shared/regulations

Each line must be a JSON object of the form
    {"id": str, "question": str, "answer": str, "answerable": bool,
     "sources": [{"doc": str, "quote": str}], "tags": [str],
     "history": [{"role": "user"|"assistant", "content": str}]}   # optional

Checks, per line:
  * valid UTF-8 JSON object (no BOM), required fields present with the right types;
  * ids unique;
  * answerable <=> sources non-empty; unanswerable => answer == "" and tag
    "unanswerable"; answerable => non-empty answer;
  * every text field is NFC;
  * each quote: 20-200 characters, no line break, found verbatim in the named
    doc (looked up by file name in the --corpus dirs), inside the document body
    (after the metadata header's "---" line, if the file has one), and on a line
    that is not web boilerplate (image markers, comment boxes, URLs, rulers...).

Prints one line per problem ("FILE:LINE: FIELD: message"), then a summary.
Exit code: 0 if no errors, 1 if any error, 2 on bad usage.
Standard library only.
"""

import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter

QUOTE_MIN = 20
QUOTE_MAX = 200
REQUIRED = {
    "id": str,
    "question": str,
    "answer": str,
    "answerable": bool,
    "sources": list,
    "tags": list,
}
OPTIONAL = {"history": list}
ROLES = {"user", "assistant"}
# Characters that are legal in a verbatim quote but easy to lose when retyped.
INVISIBLE = {"\u00a0", "\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"}

# A metadata header (regulation files) starts with "Tiêu đề:" and ends with a
# line that is exactly "---"; quotes must come from the text after it.
HEADER_FIRST_LINE = re.compile(r"^Tiêu đề\s*:")
HEADER_END = "---"

# Lines that are scraping / page furniture, not document content.
BOILERPLATE = [
    re.compile(r"leftcenterrightdel", re.I),
    re.compile(r"^\s*Gửi bình luận của bạn"),
    re.compile(r"https?://|www\.", re.I),
    re.compile(r"^\s*-{3,}\s*$"),
    re.compile(r"^\s*Tìm theo ngày"),
    re.compile(r"^\s*Đánh giá\s*$"),
    re.compile(r"Di chuột vào ngôi sao"),
    re.compile(r"^\s*Bài viết mới nhất"),
    re.compile(r"^\s*Từ viết tắt\s+Xem với cỡ chữ"),
    re.compile(r"^\s*Cập nhật ngày:"),
    re.compile(r"^\s*Nguồn:\s"),
    re.compile(r"^Phu luc_ban hanh kem theo", re.I),
]


class Doc:
    """A corpus file split into body lines usable as quote sources."""

    def __init__(self, path):
        self.path = path
        with open(path, "r", encoding="utf-8") as fh:
            self.text = fh.read()
        lines = self.text.split("\n")
        start = 0
        if lines and HEADER_FIRST_LINE.match(lines[0].lstrip("\ufeff")):
            for i, line in enumerate(lines):
                if line.strip() == HEADER_END:
                    start = i + 1
                    break
        self.header_lines = lines[:start]
        self.body_lines = lines[start:]

    def locate(self, quote):
        """Return (ok, reason). ok is True when the quote is on a usable body line."""
        if quote not in self.text:
            return False, "not found verbatim in %s" % self.path
        body_hits = [ln for ln in self.body_lines if quote in ln]
        if not body_hits:
            return False, "found only in the metadata header of %s, not in the body" % self.path
        clean_hits = [ln for ln in body_hits if not is_boilerplate(ln)]
        if not clean_hits:
            return False, "found only on boilerplate lines of %s" % self.path
        return True, ""


def is_boilerplate(line):
    return any(p.search(line) for p in BOILERPLATE)


class Corpus:
    """Finds documents by file name across several directories (first match wins)."""

    def __init__(self, dirs):
        self.dirs = dirs
        self.cache = {}

    def get(self, name):
        if name in self.cache:
            return self.cache[name]
        doc = None
        if name and os.path.basename(name) == name:
            for d in self.dirs:
                p = os.path.join(d, name)
                if os.path.isfile(p):
                    doc = Doc(p)
                    break
        self.cache[name] = doc
        return doc


def is_nfc(s):
    return unicodedata.normalize("NFC", s) == s


def check_record(rec, lineno, corpus, seen_ids, err, warn):
    """Validate one decoded record; report problems through err/warn."""
    if not isinstance(rec, dict):
        err(lineno, "-", "line is not a JSON object")
        return

    ok_types = True
    for key, typ in REQUIRED.items():
        if key not in rec:
            err(lineno, key, "missing required field")
            ok_types = False
        elif not isinstance(rec[key], typ):
            err(lineno, key, "expected %s, got %s" % (typ.__name__, type(rec[key]).__name__))
            ok_types = False
    for key, typ in OPTIONAL.items():
        if key in rec and not isinstance(rec[key], typ):
            err(lineno, key, "expected %s, got %s" % (typ.__name__, type(rec[key]).__name__))
            ok_types = False
    for key in rec:
        if key not in REQUIRED and key not in OPTIONAL:
            warn(lineno, key, "unknown field")
    if not ok_types:
        return

    rid = rec["id"]
    if not rid.strip():
        err(lineno, "id", "empty id")
    elif rid in seen_ids:
        err(lineno, "id", "duplicate id %r (first on line %d)" % (rid, seen_ids[rid]))
    else:
        seen_ids[rid] = lineno

    for key in ("question", "answer"):
        if not is_nfc(rec[key]):
            err(lineno, key, "not NFC-normalised")
    if not rec["question"].strip():
        err(lineno, "question", "empty question")

    tags = rec["tags"]
    for i, t in enumerate(tags):
        if not isinstance(t, str) or not t.strip():
            err(lineno, "tags[%d]" % i, "tag must be a non-empty string")
    str_tags = {t for t in tags if isinstance(t, str)}

    # History (follow-up questions).
    if "history" in rec:
        hist = rec["history"]
        if not hist:
            err(lineno, "history", "history present but empty")
        for i, turn in enumerate(hist):
            f = "history[%d]" % i
            if not isinstance(turn, dict):
                err(lineno, f, "turn must be an object")
                continue
            if turn.get("role") not in ROLES:
                err(lineno, f + ".role", "role must be 'user' or 'assistant'")
            content = turn.get("content")
            if not isinstance(content, str) or not content.strip():
                err(lineno, f + ".content", "content must be a non-empty string")
            elif not is_nfc(content):
                err(lineno, f + ".content", "not NFC-normalised")
            extra = set(turn) - {"role", "content"}
            if extra:
                warn(lineno, f, "unknown keys %s" % sorted(extra))
        if hist and isinstance(hist[0], dict) and hist[0].get("role") != "user":
            warn(lineno, "history[0].role", "history usually starts with a user turn")
    if "follow-up" in str_tags and not rec.get("history"):
        err(lineno, "history", "tagged follow-up but has no history")

    # Answerability consistency.
    answerable = rec["answerable"]
    sources = rec["sources"]
    if answerable:
        if not sources:
            err(lineno, "sources", "answerable question must have at least one source")
        if not rec["answer"].strip():
            err(lineno, "answer", "answerable question must have a non-empty answer")
        if "unanswerable" in str_tags:
            err(lineno, "tags", "answerable question tagged 'unanswerable'")
    else:
        if sources:
            err(lineno, "sources", "unanswerable question must have sources == []")
        if rec["answer"] != "":
            err(lineno, "answer", "unanswerable question must have answer == \"\"")
        if "unanswerable" not in str_tags:
            err(lineno, "tags", "unanswerable question must be tagged 'unanswerable'")

    # Sources and quotes.
    for i, src in enumerate(sources):
        f = "sources[%d]" % i
        if not isinstance(src, dict):
            err(lineno, f, "source must be an object")
            continue
        doc_name = src.get("doc")
        quote = src.get("quote")
        extra = set(src) - {"doc", "quote"}
        if extra:
            warn(lineno, f, "unknown keys %s" % sorted(extra))
        if not isinstance(doc_name, str) or not doc_name:
            err(lineno, f + ".doc", "doc must be a non-empty string (a file name)")
            continue
        if not isinstance(quote, str):
            err(lineno, f + ".quote", "quote must be a string")
            continue
        n = len(quote)
        if n < QUOTE_MIN or n > QUOTE_MAX:
            err(lineno, f + ".quote", "length %d outside %d-%d characters" % (n, QUOTE_MIN, QUOTE_MAX))
        if "\n" in quote or "\r" in quote:
            err(lineno, f + ".quote", "quote contains a line break")
        if quote != quote.strip():
            warn(lineno, f + ".quote", "leading/trailing whitespace")
        if not is_nfc(quote):
            err(lineno, f + ".quote", "not NFC-normalised")
        odd = sorted({"U+%04X" % ord(c) for c in quote if c in INVISIBLE})
        if odd:
            warn(lineno, f + ".quote", "contains invisible/non-breaking characters %s "
                 "(verbatim, but fragile to retype)" % ", ".join(odd))
        doc = corpus.get(doc_name)
        if doc is None:
            err(lineno, f + ".doc", "document %r not found in any --corpus dir" % doc_name)
            continue
        ok, reason = doc.locate(quote)
        if not ok:
            err(lineno, f + ".quote", reason)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Validate a JSONL test set and its verbatim quotes.")
    ap.add_argument("testset", help="path to the .jsonl test set")
    ap.add_argument("--corpus", action="append", default=[], metavar="DIR",
                    help="directory holding corpus files (repeatable; searched in order)")
    args = ap.parse_args(argv)

    if not args.corpus:
        ap.error("at least one --corpus DIR is required")
    for d in args.corpus:
        if not os.path.isdir(d):
            ap.error("corpus dir not found: %s" % d)

    corpus = Corpus(args.corpus)
    errors = []
    warnings = []
    name = args.testset

    def err(lineno, field, msg):
        errors.append((lineno, "%s:%s: %s: %s" % (name, lineno, field, msg)))

    def warn(lineno, field, msg):
        warnings.append((lineno, "%s:%s: %s: WARNING %s" % (name, lineno, field, msg)))

    with open(args.testset, "rb") as fh:
        raw = fh.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        err(1, "-", "file starts with a UTF-8 BOM")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        err("-", "-", "file is not valid UTF-8: %s" % exc)
        text = raw.decode("utf-8", errors="replace")

    seen_ids = {}
    records = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # trailing newline at end of file
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            err(lineno, "-", "empty line")
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            err(lineno, "-", "invalid JSON: %s" % exc)
            continue
        check_record(rec, lineno, corpus, seen_ids, err, warn)
        if isinstance(rec, dict):
            records.append(rec)

    # Report problems in file order (stable: errors and warnings interleaved by line).
    def order(item):
        lineno = item[0]
        return lineno if isinstance(lineno, int) else 0

    for _, line in sorted(errors + warnings, key=order):
        print(line)

    tag_counts = Counter()
    n_ans = 0
    n_quotes = 0
    docs = Counter()
    for rec in records:
        tags = rec.get("tags") if isinstance(rec.get("tags"), list) else []
        tag_counts.update(t for t in tags if isinstance(t, str))
        if rec.get("answerable") is True:
            n_ans += 1
        srcs = rec.get("sources") if isinstance(rec.get("sources"), list) else []
        for s in srcs:
            if isinstance(s, dict):
                n_quotes += 1
                docs[s.get("doc")] += 1
    print("---")
    print("records: %d (answerable %d, unanswerable %d), quotes: %d"
          % (len(records), n_ans, len(records) - n_ans, n_quotes))
    if docs:
        print("quotes per doc: " + ", ".join("%s=%d" % (k, v) for k, v in sorted(docs.items(), key=str)))
    if tag_counts:
        print("tags: " + ", ".join("%s=%d" % (k, v) for k, v in sorted(tag_counts.items())))
    print("errors: %d, warnings: %d" % (len(errors), len(warnings)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
