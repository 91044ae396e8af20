"""Shared fixtures: the real model, a fixture corpus with every format, its index, a live server."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from qa_service.config import ROOT, Settings
from qa_service.engine import QAEngine
from qa_service.index.embedder import Embedder
from qa_service.ingest.pipeline import ingest, is_stale

FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"


def write_report_pdf(path: Path):
    """A two-page PDF, so tests can check that citations keep page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Jahresbericht Digitalisierung Beispielstadt 2023")
    pages = [
        ["Jahresbericht Digitalisierung Beispielstadt 2023", "Kapitel 1: Breitband.",
         "Die Beispielstadt hat 2023 vierzehn Schulen an das Glasfasernetz angeschlossen."],
        ["Kapitel 2: Beteiligung.", "Auf der Online-Plattform Mitreden haben 2023 rund 3.200 Menschen",
         "Vorschläge zur Gestaltung des Bahnhofsplatzes eingereicht."],
    ]
    for lines in pages:
        y = 780
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 20
        pdf.showPage()
    pdf.save()


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copytree(FIXTURES / "corpus", corpus, dirs_exist_ok=True)
    write_report_pdf(corpus / "pages" / "jahresbericht-2023.pdf")
    (corpus / "pages" / "kaputt.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    return corpus


@pytest.fixture(scope="session")
def fixture_settings(fixture_corpus, tmp_path_factory) -> Settings:
    work = tmp_path_factory.mktemp("work")
    return Settings(corpus_dir=fixture_corpus, index_dir=work / "index", data_dir=work / "data")


@pytest.fixture(scope="session")
def fixture_index(fixture_settings, embedder):
    return ingest(fixture_settings, embedder)


@pytest.fixture(scope="session")
def engine(fixture_settings, fixture_index, embedder) -> QAEngine:
    return QAEngine.load(fixture_settings, embedder)


@pytest.fixture(scope="session")
def real_settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def real_engine(real_settings, embedder) -> QAEngine:
    """The engine over the real corpus (built by `make test` before pytest; rebuilt here if stale)."""
    if is_stale(real_settings):
        ingest(real_settings, embedder)
    return QAEngine.load(real_settings, embedder)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(settings: Settings, extra_env: dict[str, str] | None = None, wait_ready: bool = True):
    """A real `qa-service serve` on 127.0.0.1 in a subprocess; yields its base URL."""
    port = free_port()
    env = {**os.environ, "QA_CORPUS_DIR": str(settings.corpus_dir), "QA_INDEX_DIR": str(settings.index_dir),
           "QA_DATA_DIR": str(settings.data_dir), **(extra_env or {})}
    log_path = Path(tempfile.mkstemp(prefix="qa-server-", suffix=".log")[1])
    log = open(log_path, "wb")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen([sys.executable, "-m", "qa_service.cli", "serve", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                response = httpx.get(f"{base}/readyz" if wait_ready else f"{base}/healthz", timeout=2)
                if response.status_code == 200 or (not wait_ready and response.status_code < 500):
                    break
                if wait_ready and response.status_code == 503 and "starting" not in response.text:
                    break  # not ready for a reason that will not change by waiting
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 120 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        log_path.unlink(missing_ok=True)


ADMIN_KEY = "test-admin-key-0123456789"


@pytest.fixture(scope="session")
def portal_ports() -> dict[str, int]:
    """Ports of two static "portal" sites: one allowed to embed the widget, one not."""
    return {"allowed": free_port(), "denied": free_port()}


@pytest.fixture(scope="session")
def live_server(fixture_settings, fixture_index, portal_ports):
    """The real service over the fixture index, on 127.0.0.1, with generous rate limits."""
    env = {"QA_ADMIN_KEY": ADMIN_KEY, "QA_ALLOWED_ORIGINS": f"http://127.0.0.1:{portal_ports['allowed']}",
           "QA_RATE_PER_IP": "1000", "QA_RATE_BURST_IP": "100000", "QA_RATE_PER_SESSION": "1000",
           "QA_RATE_BURST_SESSION": "100000"}
    with running_server(fixture_settings, env) as base:
        yield base
