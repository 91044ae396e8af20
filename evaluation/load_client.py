"""A load generator for the HTTP API, run as its own process so it never shares the server's interpreter.

    python -m evaluation.load_client --url http://127.0.0.1:8000 --concurrency 16 --seconds 5 \
        --questions evaluation/questions.jsonl [--unique] [--chat [--turns-per-session 3]]

N workers post questions back to back until the time is up (or `--max-requests` were sent) and the
process prints one JSON object (`LoadResult`). Questions are cycled from the file; `--unique` appends
a run tag and a counter, so that no two requests share a question, not even across runs against the
same server (none hits the service's embedding cache);
`--chat` posts to /api/chat and starts a new conversation every `--turns-per-session` turns.
"""

import argparse
import asyncio
import itertools
import json
import math
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from pydantic import BaseModel, Field

REQUEST_TIMEOUT_S = 30.0
MAX_REQUESTS = 200_000


class LoadResult(BaseModel):
    """What one load run measured."""
    path: str
    concurrency: int
    seconds: float = Field(description="Wall time from the first request to the last response")
    unique_questions: bool
    requests: int = Field(description="Requests sent, answered or not")
    failures: int = Field(description="Requests without a 2xx answer (error status or transport error)")
    status_counts: dict[str, int] = Field(description="HTTP status (or exception name) -> count")
    p50_ms: float | None = Field(description="Median latency of the successful requests")
    p95_ms: float | None
    requests_per_second: float = Field(description="Successful requests per second")
    client_cpu_seconds: float = Field(description="CPU time this load client spent, to set against the server's")


def read_questions(path: Path, limit: int | None = None) -> list[str]:
    """The `question` fields of a JSONL question set, in file order."""
    questions = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    if not questions:
        raise ValueError(f"{path} holds no questions")
    return questions[:limit] if limit else questions


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


class LoadRun:
    """Shared state of the workers of one run: the question sequence and what came back."""

    def __init__(self, questions: list[str], unique: bool, chat: bool, turns_per_session: int, max_requests: int):
        self.questions, self.unique, self.chat = questions, unique, chat
        self.turns_per_session, self.max_requests = turns_per_session, max_requests
        self.counter = itertools.count()
        self.run_tag = secrets.token_hex(2)
        self.statuses: Counter[str] = Counter()
        self.latencies_ms: list[float] = []

    def next_question(self) -> str | None:
        number = next(self.counter)
        if number >= self.max_requests:
            return None
        question = self.questions[number % len(self.questions)]
        return f"{question} {self.run_tag}-{number}" if self.unique else question

    async def worker(self, client: httpx.AsyncClient, deadline: float):
        session_id, turns = None, 0
        while time.monotonic() < deadline and (question := self.next_question()) is not None:
            if self.chat and turns >= self.turns_per_session:
                session_id, turns = None, 0
            body = ({"message": question, **({"session_id": session_id} if session_id else {})}
                    if self.chat else {"question": question})
            started = time.perf_counter()
            try:
                response = await client.post("/api/chat" if self.chat else "/api/ask", json=body)
                status = str(response.status_code)
                if response.is_success:
                    self.latencies_ms.append((time.perf_counter() - started) * 1000)
                    if self.chat:
                        session_id, turns = response.json()["session_id"], turns + 1
            except httpx.HTTPError as error:
                status = type(error).__name__
            self.statuses[status] += 1


async def run_load(url: str, questions: list[str], concurrency: int, seconds: float, unique: bool = False,
                   chat: bool = False, turns_per_session: int = 1, max_requests: int = MAX_REQUESTS) -> LoadResult:
    run = LoadRun(questions, unique, chat, turns_per_session, max_requests)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    cpu_started = time.process_time()
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT_S) as client:
        started = time.monotonic()
        await asyncio.gather(*(run.worker(client, started + seconds) for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    requests = sum(run.statuses.values())
    return LoadResult(
        path="/api/chat" if chat else "/api/ask", concurrency=concurrency, seconds=round(elapsed, 3),
        unique_questions=unique, requests=requests, failures=requests - len(run.latencies_ms),
        status_counts=dict(run.statuses), p50_ms=_rounded(percentile(run.latencies_ms, 0.50)),
        p95_ms=_rounded(percentile(run.latencies_ms, 0.95)),
        requests_per_second=round(len(run.latencies_ms) / elapsed, 2) if elapsed else 0.0,
        client_cpu_seconds=round(time.process_time() - cpu_started, 3))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evaluation.load_client", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--questions", type=Path, required=True, help="JSONL file with a `question` per line")
    parser.add_argument("--unique", action="store_true", help="append a counter to every question")
    parser.add_argument("--chat", action="store_true", help="POST /api/chat instead of /api/ask")
    parser.add_argument("--turns-per-session", type=int, default=1, help="chat turns before a new session")
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.concurrency < 1 or args.seconds <= 0 or args.turns_per_session < 1:
        print("error: --concurrency and --turns-per-session must be ≥ 1, --seconds > 0", file=sys.stderr)
        return 2
    result = asyncio.run(run_load(args.url.rstrip("/"), read_questions(args.questions), args.concurrency,
                                  args.seconds, args.unique, args.chat, args.turns_per_session, args.max_requests))
    print(result.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
