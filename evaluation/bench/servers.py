"""Our server and the naive one as subprocesses on free ports: cold start, CPU time, RSS and /metrics."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from evaluation.bench.figures import ColdStart
from qa_service.config import ROOT, Settings

READY_TIMEOUT_S = 300       # the naive server embeds the whole corpus before it opens its port
UNLIMITED_RATE = {"QA_RATE_PER_IP": "100000", "QA_RATE_BURST_IP": "100000"}
MB = 1024 * 1024
OURS_COMMAND = [sys.executable, "-m", "qa_service.cli", "serve", "--host", "127.0.0.1"]
NAIVE_COMMAND = [sys.executable, "-m", "evaluation.naive_server"]


class RssSampler(threading.Thread):
    """Samples a process's resident memory every `interval` seconds until stopped (or it exits)."""

    def __init__(self, pid: int, interval: float, max_samples: int = 100_000):
        super().__init__(daemon=True)
        self.process, self.interval, self.max_samples = psutil.Process(pid), interval, max_samples
        self.samples: list[tuple[float, float]] = []   # (monotonic time, MB)
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set() and len(self.samples) < self.max_samples:
            try:
                self.samples.append((time.monotonic(), self.process.memory_info().rss / MB))
            except psutil.Error:
                return
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join(timeout=5)

    def peak_mb(self) -> float:
        return round(max((mb for _, mb in self.samples), default=0.0), 1)

    def between(self, start: float, end: float) -> list[float]:
        return [mb for at, mb in self.samples if start <= at <= end]

    def mean_mb(self, start: float, end: float) -> float:
        window = self.between(start, end)
        return round(sum(window) / len(window), 1) if window else 0.0


@dataclass
class Server:
    """A started server: its address, how fast it came up, and the sampler that watches its memory."""
    url: str
    cold_start: ColdStart
    rss: RssSampler

    def cpu_seconds(self) -> float:
        times = self.rss.process.cpu_times()
        return times.user + times.system

    def metric(self, name: str) -> float | None:
        """One unlabelled series from our server's /metrics."""
        for line in httpx.get(f"{self.url}/metrics", timeout=10).text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(settings: Settings, data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server on `settings`' corpus and index, its own data folder, no rate limit."""
    return {**os.environ, "QA_CORPUS_DIR": str(settings.corpus_dir), "QA_INDEX_DIR": str(settings.index_dir),
            "QA_DATA_DIR": str(data_dir), **UNLIMITED_RATE, **(extra or {})}


@contextmanager
def started_server(command: list[str], env: dict[str, str], first_question: str, log_path: Path,
                   rss_interval: float = 0.2) -> Iterator[Server]:
    """Start a server on a free port, time it to ready and to a first answer; always terminate it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block a busy server
        started = time.perf_counter()
        process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log)
    sampler = RssSampler(process.pid, rss_interval)
    sampler.start()
    try:
        ready_s = wait_ready(process, url, started, log_path)
        response = httpx.post(f"{url}/api/ask", json={"question": first_question}, timeout=60)
        response.raise_for_status()
        cold = ColdStart(ready_s=round(ready_s, 2), first_answer_s=round(time.perf_counter() - started, 2))
        yield Server(url, cold, sampler)
    finally:
        sampler.stop()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wait_ready(process: subprocess.Popen, url: str, started: float, log_path: Path) -> float:
    """Seconds from `started` until /readyz answers 200; an error with the log's tail if it exits or times out."""
    while time.perf_counter() - started < READY_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {url} not ready within {READY_TIMEOUT_S} s: {log_path.read_text()[-2000:]}")
