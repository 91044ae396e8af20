"""The HTTP API of a real uvicorn server on 127.0.0.1 over the fixture index."""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import ADMIN_KEY

pytestmark = pytest.mark.server


def post(base, path, body, **kwargs):
    return httpx.post(f"{base}{path}", json=body, timeout=30, **kwargs)


def error_code(response) -> str:
    body = response.json()
    assert body["error"]["message_de"] and body["error"]["message_en"]
    return body["error"]["code"]


def test_ask_returns_the_answer_shape_with_cited_urls(live_server):
    response = post(live_server, "/api/ask", {"question": "Welche Partner hat Ulm?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "abstained", "citations", "timings_ms", "answer_id"}
    assert not body["abstained"] and re.search(r"\[1\]", body["answer"])
    citation = body["citations"][0]
    assert {"n", "doc_id", "title", "city", "section", "page", "url", "snippet", "score", "sources"} <= set(citation)
    assert citation["url"].startswith("https://") and citation["sources"][0]["date"]
    assert set(body["timings_ms"]) == {"embed", "search", "answer", "total"}


@pytest.mark.parametrize("body,status,code", [
    ({"question": "   \n\t "}, 400, "question_empty"),
    ({"question": "x" * 600}, 400, "question_too_long"),
    ({"question": "Partner?", "city": "atlantis"}, 400, "unknown_city"),
    ({"question": "Partner?", "state": "Narnia"}, 400, "unknown_state"),
    ({"question": "Partner?", "type": "poem"}, 422, "invalid_request"),
    ({"question": "Partner?", "top_k": 1000}, 422, "invalid_request"),
    ({"question": "Partner?", "mode": "magic"}, 422, "invalid_request"),
    ({"frage": "Partner?"}, 422, "invalid_request"),
])
def test_bad_input_gets_a_clear_4xx(live_server, body, status, code):
    response = post(live_server, "/api/ask", body)
    assert response.status_code == status
    assert error_code(response) == code


def test_unknown_city_names_the_valid_choices(live_server):
    details = post(live_server, "/api/ask", {"question": "Partner?", "city": "atlantis"}).json()["error"]["details"]
    assert {"ulm", "jena", "koeln"} <= set(details["valid"])


def test_malformed_json_gets_a_readable_422(live_server):
    response = httpx.post(f"{live_server}/api/ask", content=b'{"question": "Ulm', timeout=10,
                          headers={"content-type": "application/json"})
    assert response.status_code == 422 and error_code(response) == "invalid_request"
    assert "JSON" in response.json()["error"]["message_en"]


def test_control_characters_are_stripped(live_server):
    response = post(live_server, "/api/ask", {"question": "Welche\x00 Partner\u202e hat\x07 Ulm?"})
    assert response.status_code == 200 and not response.json()["abstained"]


def test_oversized_bodies_are_refused(live_server):
    response = post(live_server, "/api/ask", {"question": "Ulm", "padding": "x" * 20_000})
    assert response.status_code == 413 and error_code(response) == "body_too_large"


def test_oversized_chunked_bodies_are_refused_too(live_server):
    def body():
        yield b'{"question": "'
        for _ in range(40):
            yield b"x" * 1000
        yield b'"}'
    response = httpx.post(f"{live_server}/api/ask", content=body(), timeout=30,
                          headers={"content-type": "application/json"})
    assert response.status_code == 413 and error_code(response) == "body_too_large"


def test_chat_streams_sources_then_sentences_then_done(live_server):
    events = []
    with httpx.stream("POST", f"{live_server}/api/chat", json={"message": "Welche Partner hat Ulm?"},
                      headers={"accept": "text/event-stream"}, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for block in response.read().decode().split("\n\n"):
            if block.strip():
                name = re.search(r"^event: (\w+)$", block, re.M).group(1)
                events.append((name, json.loads(re.search(r"^data: (.*)$", block, re.M).group(1))))
    names = [name for name, _ in events]
    assert names[0] == "sources" and names[-1] == "done" and set(names[1:-1]) == {"delta"}
    assert events[0][1]["session_id"] and events[0][1]["citations"]
    assert "".join(data["text"] for name, data in events if name == "delta").strip() == events[-1][1]["answer"]


def test_chat_follow_ups_carry_city_and_topic(live_server):
    first = post(live_server, "/api/chat", {"message": "Was macht Ulm bei der Mobilität?"}).json()
    session = first["session_id"]
    second = post(live_server, "/api/chat", {"session_id": session, "message": "Und Jena?"}).json()
    assert second["resolved_question"] == "Was macht Jena bei der Mobilität?"
    assert second["session_id"] == session
    assert {c["city"] for c in second["citations"]} <= {"Jena", None}
    third = post(live_server, "/api/chat", {"session_id": session, "message": "Und welche Partner hat die Stadt?"}).json()
    assert third["citations"] and {c["city"] for c in third["citations"]} == {"Jena"}


def test_search_returns_ranked_passages_without_answer(live_server):
    body = httpx.get(f"{live_server}/api/search", params={"q": "LoRaWAN Funknetz", "top_k": 3}, timeout=30).json()
    assert "answer" not in body and len(body["passages"]) == 3
    assert [p["rank"] for p in body["passages"]] == [1, 2, 3]
    assert body["passages"][0]["score"] >= body["passages"][-1]["score"]


def test_cities_list_and_detail(live_server):
    cities = httpx.get(f"{live_server}/api/cities", timeout=10).json()
    assert {c["slug"] for c in cities} == {"ulm", "jena", "koeln"}
    ulm = httpx.get(f"{live_server}/api/cities/ulm", timeout=10).json()
    assert ulm["doc_id"] == "city/ulm" and "Partnernetzwerk" in [s["title"] for s in ulm["sections"]]
    assert ulm["sources"][0]["url"].startswith("http")
    missing = httpx.get(f"{live_server}/api/cities/atlantis", timeout=10)
    assert missing.status_code == 404 and error_code(missing) == "unknown_city"


def test_feedback_is_stored_and_exported_with_the_admin_key(live_server):
    stored = post(live_server, "/api/feedback", {"answer_id": "a1", "rating": "down", "comment": "unklar",
                                                 "question": "Frage?", "answer": "Antwort."})
    assert stored.status_code == 201
    assert httpx.get(f"{live_server}/api/admin/feedback", timeout=10).status_code == 401
    wrong = httpx.get(f"{live_server}/api/admin/feedback", headers={"x-api-key": "guess"}, timeout=10)
    assert wrong.status_code == 401
    export = httpx.get(f"{live_server}/api/admin/feedback", headers={"x-api-key": ADMIN_KEY}, timeout=10).json()
    assert any(row["id"] == stored.json()["id"] and row["comment"] == "unklar" for row in export)
    assert post(live_server, "/api/feedback", {"answer_id": "a1", "rating": "meh"}).status_code == 422


def test_health_readiness_and_metrics(live_server):
    assert httpx.get(f"{live_server}/healthz").json() == {"status": "ok", "ready": None, "reason": None,
                                                          "chunks": None, "model": None}
    ready = httpx.get(f"{live_server}/readyz").json()
    assert ready["ready"] and ready["chunks"] > 0
    post(live_server, "/api/ask", {"question": "Wie backe ich Apfelkuchen?"})
    metrics = httpx.get(f"{live_server}/metrics").text
    assert 'qa_http_requests_total{method="POST",route="/api/ask",status="200"}' in metrics
    assert 'qa_http_request_duration_seconds_bucket{le="0.1",route="/api/ask"}' in metrics
    assert 'qa_answers_total{abstained="true"}' in metrics
    assert re.search(r"^qa_index_chunks \d+", metrics, re.M)


def test_concurrent_questions_share_model_calls(live_server):
    questions = [f"Welche Projekte zu Thema {i} gibt es in Köln?" for i in range(16)]
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda q: post(live_server, "/api/ask", {"question": q}).status_code, questions))
    assert statuses == [200] * 16
    metrics = httpx.get(f"{live_server}/metrics").text
    batches = float(re.search(r"^qa_embedding_batches (\S+)", metrics, re.M).group(1))
    embedded = float(re.search(r"^qa_embedded_questions (\S+)", metrics, re.M).group(1))
    assert embedded >= 16 and batches < embedded


def test_pages_carry_security_headers(live_server):
    page = httpx.get(f"{live_server}/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"]
    widget = httpx.get(f"{live_server}/widget.js")
    assert widget.headers["content-type"].startswith("text/javascript") and len(widget.content) < 30_000


def test_cross_origin_calls_only_from_allowed_origins(live_server, portal_ports):
    allowed = f"http://127.0.0.1:{portal_ports['allowed']}"
    ok = httpx.get(f"{live_server}/api/widget/ping", headers={"origin": allowed})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == allowed
    denied = httpx.get(f"{live_server}/api/widget/ping", headers={"origin": "http://evil.example"})
    assert denied.status_code == 403 and error_code(denied) == "origin_not_allowed"
    assert "access-control-allow-origin" not in denied.headers
    preflight = httpx.options(f"{live_server}/api/chat", headers={
        "origin": "http://evil.example", "access-control-request-method": "POST"})
    assert preflight.status_code >= 400 and "access-control-allow-origin" not in preflight.headers
