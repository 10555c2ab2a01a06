from __future__ import annotations

import json

from fastapi.testclient import TestClient

from enterprise_rag.app import create_app
from enterprise_rag.service import RagService

DOCS = {
    "documents": [
        {
            "doc_id": "manual-hub",
            "title": "Beacon Hub manual",
            "text": "## Reset\nHold the reset button for 10 seconds until the light blinks red.\n"
            "## Specifications\nOperating temperature: 0 C to 40 C.",
        }
    ]
}


def test_does_the_api_ingest_idempotently_and_answer_with_citations(
    empty_service: RagService,
) -> None:
    client = TestClient(create_app(lambda: empty_service))
    first = client.post("/documents", json=DOCS).json()
    again = client.post("/documents", json=DOCS).json()
    assert (first["total_chunks"], len(first["added"])) == (2, 2)
    assert (again["unchanged"], again["added"], again["embedded"]) == (2, [], 0)

    found = client.post("/search", json={"question": "factory reset the hub", "k": 1}).json()
    assert found[0]["section_id"] == "manual-hub#reset"

    answer = client.post("/answer", json={"question": "How do I reset the Beacon Hub?"}).json()
    assert not answer["abstained"]
    assert answer["citations"] == ["manual-hub#reset"]
    assert "[1]" in answer["answer"]


def test_does_the_stream_send_tokens_then_the_cited_answer(empty_service: RagService) -> None:
    client = TestClient(create_app(lambda: empty_service))
    client.post("/documents", json=DOCS)
    with client.stream(
        "POST", "/answer/stream", json={"question": "How do I reset the Beacon Hub?"}
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events = [block for block in body.replace("\r\n", "\n").split("\n\n") if block.strip()]
    kinds = [block.split("\n")[0].removeprefix("event: ") for block in events]
    assert kinds[-1] == "answer"
    assert set(kinds[:-1]) == {"token"}
    assert len(kinds) > 3
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert final["citations"] == ["manual-hub#reset"]


def test_does_it_abstain_when_nothing_is_relevant(empty_service: RagService) -> None:
    client = TestClient(create_app(lambda: empty_service))
    client.post("/documents", json=DOCS)
    answer = client.post("/answer", json={"question": "Who won the 1998 football world cup?"})
    assert answer.json()["abstained"] is True
    assert answer.json()["answer"].startswith("I don't know")


def test_is_bad_input_refused_with_a_clear_422(empty_service: RagService) -> None:
    client = TestClient(create_app(lambda: empty_service))
    bad_id = {"documents": [{"doc_id": "a b/../c", "title": "t", "text": "x"}]}
    assert client.post("/documents", json=bad_id).status_code == 422
    assert client.post("/search", json={"question": "", "k": 5}).status_code == 422
    wrong = client.post("/search", json={"question": "reset", "pipeline": "magic"})
    assert wrong.status_code == 422
    assert "pipeline" in wrong.text
    assert client.get("/health").json()["chunks"] == 0
