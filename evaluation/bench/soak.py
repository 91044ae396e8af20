"""The soak: our server under a long run of chat traffic, its RSS and session gauge sampled every second."""

import subprocess
import time
from pathlib import Path

from evaluation.bench.figures import SoakFigures
from evaluation.bench.http_runs import load_command, parse_load_result, run_load_client
from evaluation.bench.servers import OURS_COMMAND, server_env, started_server
from qa_service.config import ROOT, Settings

SOAK_CONCURRENCY = 32
SOAK_WINDOW_S = 10          # RSS growth: mean of the first window against the mean of the last one


def measure_soak(settings: Settings, questions: list[str], questions_file: Path, seconds: float, bound: int,
                 work: Path) -> SoakFigures:
    """Chat traffic at concurrency 32 with new sessions, RSS and the session gauge sampled every second."""
    env = server_env(settings, work / "soak-data", {"QA_MAX_SESSIONS": str(bound)})
    with started_server(OURS_COMMAND, env, questions[0], work / "soak-server.log", rss_interval=1.0) as server:
        warmup = min(5.0, seconds / 4)
        run_load_client(load_command(server.url, questions_file, SOAK_CONCURRENCY, warmup, True, chat=True), warmup)
        command = load_command(server.url, questions_file, SOAK_CONCURRENCY, seconds, True, chat=True)
        started = time.monotonic()
        client = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sessions = []
        try:
            while client.poll() is None and time.monotonic() - started < seconds + 120:
                sessions.append(int(server.metric("qa_chat_sessions") or 0))
                time.sleep(1)
            output, errors = client.communicate(timeout=120)
        finally:
            if client.poll() is None:
                client.kill()
        ended = time.monotonic()
        if client.returncode != 0:
            raise RuntimeError(f"soak load client failed: {errors[-2000:]}")
        window = min(SOAK_WINDOW_S, seconds / 3)
        first, last = server.rss.mean_mb(started, started + window), server.rss.mean_mb(ended - window, ended)
        return SoakFigures(seconds=seconds, load=parse_load_result(output),
                           window_s=round(window, 2), rss_first_mb=first, rss_last_mb=last,
                           rss_peak_mb=server.rss.peak_mb(),
                           rss_series_mb=[round(mb, 1) for mb in server.rss.between(started, ended)],
                           rss_growth_percent=round((last - first) / first * 100, 2) if first else 0.0,
                           session_bound=bound, sessions_max=max(sessions, default=None))
