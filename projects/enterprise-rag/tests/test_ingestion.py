from __future__ import annotations

import pytest
from labkit import datasets

from enterprise_rag.__main__ import corpus_documents
from enterprise_rag.chunking import Document, chunk_document
from enterprise_rag.service import RagService

HUB = Document(
    doc_id="hub",
    title="Hub manual",
    text="## Reset\nHold the button for 10 seconds.\n## Lights\nBlue means pairing.",
)


def test_do_chunk_ids_match_the_eval_sets_section_ids() -> None:
    chunk_sections = {c.section_id for d in corpus_documents() for c in chunk_document(d)}
    wanted = {s["section_id"] for s in datasets.load_enterprise_sections()}
    assert chunk_sections == wanted


def test_is_a_long_section_windowed_with_overlap() -> None:
    doc = Document(doc_id="long", title="T", text="## A\n" + " ".join(f"w{i}" for i in range(50)))
    chunks = chunk_document(doc, max_words=20, overlap=5)
    assert [c.chunk_id for c in chunks] == ["long#a~0", "long#a~1", "long#a~2"]
    assert chunks[1].text.split("\n")[1].split()[0] == "w15"
    with pytest.raises(ValueError, match="overlap"):
        chunk_document(doc, max_words=5, overlap=5)


def test_is_ingesting_the_same_document_twice_a_no_op(empty_service: RagService) -> None:
    first = empty_service.store.ingest([HUB])
    second = empty_service.store.ingest([HUB])
    assert sorted(first.added) == ["hub#lights", "hub#reset"]
    assert (second.added, second.updated, second.unchanged, second.embedded) == ([], [], 2, 0)
    assert empty_service.store.count() == 2


def test_does_an_edit_bump_the_version_and_a_removal_delete(empty_service: RagService) -> None:
    empty_service.store.ingest([HUB])
    edited = Document(doc_id="hub", title="Hub manual", text="## Reset\nHold it for 20 seconds.")
    report = empty_service.store.ingest([edited])
    assert (report.updated, report.deleted) == (["hub#reset"], 1)
    [hit] = empty_service.store.search("how long to hold reset", limit=5)
    assert (hit.chunk_id, hit.version) == ("hub#reset", 2)
    assert "20 seconds" in hit.text


def test_are_bad_inputs_refused_clearly(empty_service: RagService) -> None:
    with pytest.raises(ValueError, match="repeated"):
        empty_service.store.ingest([HUB, HUB])
    with pytest.raises(ValueError, match="empty"):
        empty_service.store.search("  ")
    with pytest.raises(ValueError, match="pipeline"):
        empty_service.retrieve("reset", "magic")  # type: ignore[arg-type]
    assert empty_service.store.count() == 0
