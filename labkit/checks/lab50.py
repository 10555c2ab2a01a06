"""Checks for lab50, chunk and retrieve: dedupe, a hybrid chunker, search, incremental sync."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal
from labkit.datasets import load_enterprise_corpus, load_enterprise_sections, load_rag_eval

lab = Lab("lab50")
q1 = lab.question("q1", "dedupe")
q2 = lab.question("q2", "chunk_section")
q3 = lab.question("q3", "search", time_limit=240.0)
q4 = lab.question("q4", "plan_sync")
summary = lab.summary

RECALL_AT_5 = 0.7
"""The document-level recall@5 that ``search`` must reach on the held-out questions."""

_FILLER = (
    "Customers may return any unused product within thirty days of delivery for a full refund "
    "provided that all accessories are included and the packaging is undamaged and the receipt "
    "or the order number is shown to the support agent who handles the request at the desk"
)


def _doc(doc_id: str, text: str) -> dict[str, str]:
    return {"doc_id": doc_id, "text": text}


@q1.case("drops an exact copy and keeps the first", hint="hash the normalised text")
def _exact(dedupe: Callable[..., Any]) -> None:
    docs = [_doc("a", "Reset the hub."), _doc("b", "Pair the bulb."), _doc("a2", "Reset the hub.")]
    expect_equal([d["doc_id"] for d in dedupe(docs)], ["a", "b"], "ids after dedupe(a, b, a2)")


@q1.case("drops a copy that differs only in case and whitespace")
def _normalised(dedupe: Callable[..., Any]) -> None:
    docs = [_doc("a", "Reset  the Hub.\n"), _doc("a2", "reset the hub.")]
    expect_equal([d["doc_id"] for d in dedupe(docs)], ["a"], "ids after dedupe")


@q1.case(
    "drops a near duplicate (one word changed in 50) but keeps a different text",
    hint="MinHash over word 3-shingles with datasketch; call it a duplicate at Jaccard >= 0.8",
)
def _near(dedupe: Callable[..., Any]) -> None:
    near = _FILLER.replace("thirty", "thirty (30)")
    other = "The Beacon Hub pairs up to 120 devices over Zigbee and needs a 12 V mains adapter."
    docs = [_doc("policy", _FILLER), _doc("draft", near), _doc("manual", other)]
    expect_equal([d["doc_id"] for d in dedupe(docs)], ["policy", "manual"], "ids after dedupe")


@q1.case("keeps the 150 distinct documents of the enterprise corpus", grading_only=True)
def _corpus(dedupe: Callable[..., Any]) -> None:
    kept = dedupe(load_enterprise_corpus())
    expect_equal(len(kept), 150, "len(dedupe(load_enterprise_corpus()))")


@q2.case("keeps a short section whole, prefixed with its context")
def _short(chunk_section: Callable[..., Any]) -> None:
    chunks = chunk_section("Beacon Hub user manual", "Warranty", "Three years.", 50, 10)
    expect_equal(chunks, ["Beacon Hub user manual > Warranty\nThree years."], "chunk_section(...)")


@q2.case(
    "cuts a long section into windows of at most max_words words, sharing overlap words",
    hint="step = max_words - overlap; window i starts at word i * step",
)
def _windows(chunk_section: Callable[..., Any]) -> None:
    words = [f"w{i}" for i in range(25)]
    chunks = chunk_section("T", "H", " ".join(words), 10, 3)
    bodies = [c.split("\n", 1)[1].split() for c in chunks]
    expect(all(c.startswith("T > H\n") for c in chunks), "every chunk to start 'T > H\\n'", chunks)
    expect(all(len(b) <= 10 for b in bodies), "at most 10 words per window", bodies)
    expect(all(a[-3:] == b[:3] for a, b in itertools.pairwise(bodies)),
           "consecutive windows to share 3 words", bodies)  # fmt: skip
    covered = {w for b in bodies for w in b}
    expect(covered == set(words), "every word in some window", Text(f"{len(covered)}/25 words"))


@q2.case("refuses overlap >= max_words with a ValueError", hint="raise ValueError(...) early")
def _bad_overlap(chunk_section: Callable[..., Any]) -> None:
    try:
        chunk_section("T", "H", "a b c", 5, 5)
    except ValueError:
        return
    expect(False, "ValueError for overlap=5, max_words=5", Text("no error"))


@q2.case("ends without a window made only of overlap", grading_only=True)
def _no_tail(chunk_section: Callable[..., Any]) -> None:
    chunks = chunk_section("T", "H", " ".join(f"w{i}" for i in range(10)), 10, 3)
    expect_equal(len(chunks), 1, "len(chunk_section(..., 10 words, max_words=10, overlap=3))")


def _held_questions() -> list[dict[str, Any]]:
    return [
        dict(q)
        for q in load_rag_eval(split="test")
        if q["answerable"] and not q["relevant_doc_ids"][0].startswith("pdf-")
    ]


@q3.case("returns at most k section ids that exist", hint="return payload['section_id'] values")
def _ids(search: Callable[..., Any]) -> None:
    known = {s["section_id"] for s in load_enterprise_sections()}
    got = search("How do I reset the Beacon Hub?", 3)
    expect(isinstance(got, list) and 0 < len(got) <= 3, "a list of 1 to 3 ids", got)
    expect(all(section_id in known for section_id in got), "ids of real sections", got)


@q3.case(
    f"reaches document recall@5 >= {RECALL_AT_5} on the held-out questions",
    points=2,
    hint="embed sections with MiniLM (normalize_embeddings=True) and search them in Qdrant",
)
def _recall(search: Callable[..., Any]) -> None:
    questions = _held_questions()
    hits = 0
    for question in questions:
        docs = {section_id.split("#")[0] for section_id in search(question["question"], 5)}
        hits += bool(docs & set(question["relevant_doc_ids"]))
    recall = hits / len(questions)
    expect(recall >= RECALL_AT_5, f"recall@5 >= {RECALL_AT_5}", Text(f"{recall:.3f}"))


def _sync(plan_sync: Callable[..., Any], indexed: Any, chunks: Any, model: str) -> Any:
    to_embed, to_delete = plan_sync(indexed, chunks, model)
    return sorted(to_embed), sorted(to_delete)


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@q4.case(
    "embeds new and changed chunks only, and deletes removed ones",
    points=2,
    hint="compare sha256(text) with the stored hash; ids in the index but not in chunks go",
)
def _incremental(plan_sync: Callable[..., Any]) -> None:
    indexed = {"a#1": (_fingerprint("same"), "m1"), "a#2": (_fingerprint("old"), "m1"),
               "b#1": (_fingerprint("gone"), "m1")}  # fmt: skip
    chunks = {"a#1": "same", "a#2": "new text", "c#1": "brand new"}
    expect_equal(_sync(plan_sync, indexed, chunks, "m1"), (["a#2", "c#1"], ["b#1"]),
                 "plan_sync(indexed, chunks, 'm1')")  # fmt: skip


@q4.case("re-embeds everything when the embedding model changes",
         hint="a vector from another model is invalid even if the text did not change")  # fmt: skip
def _model_change(plan_sync: Callable[..., Any]) -> None:
    indexed = {"a#1": (_fingerprint("same"), "m1"), "a#2": (_fingerprint("x"), "m2")}
    chunks = {"a#1": "same", "a#2": "x"}
    expect_equal(_sync(plan_sync, indexed, chunks, "m2"), (["a#1"], []),
                 "plan_sync(indexed, chunks, 'm2')")  # fmt: skip


@q4.case("does nothing when nothing changed", grading_only=True)
def _idempotent(plan_sync: Callable[..., Any]) -> None:
    indexed = {"a#1": (_fingerprint("same"), "m1")}
    expect_equal(_sync(plan_sync, indexed, {"a#1": "same"}, "m1"), ([], []), "plan_sync(...)")
