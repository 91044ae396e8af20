"""The benchmark's smoke run over the fixture index, and the load client against a live server."""

import json
import re
import subprocess
import sys

import pytest

from evaluation.bench import BenchResults, main
from evaluation.load_client import LoadResult
from qa_service.config import ROOT
from tests.conftest import running_server

pytestmark = [pytest.mark.model, pytest.mark.server]

SECTIONS = ("## Targets", "## Cold start", "## Ingest", "## Latency in process", "## HTTP on 127.0.0.1",
            "## Memory", "## Scale (dense search only)", "## Soak")
NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?$")


def table_rows(report: str, heading: str) -> list[list[str]]:
    """The body rows of the first table under `heading`."""
    section = report.split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    table = section[section.index("\n|"):].split("\n\n", 1)[0]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table.strip().splitlines()[2:]]


def test_quick_bench_writes_every_section_with_numbers(fixture_settings, fixture_index, monkeypatch, tmp_path,
                                                       capsys):
    monkeypatch.setenv("QA_CORPUS_DIR", str(fixture_settings.corpus_dir))
    monkeypatch.setenv("QA_INDEX_DIR", str(fixture_settings.index_dir))
    monkeypatch.setenv("QA_DATA_DIR", str(fixture_settings.data_dir))
    output = tmp_path / "bench.md"

    assert main(["--quick", "--soak", "3", "--output", str(output), "--json"]) == 0

    results = BenchResults.model_validate_json(capsys.readouterr().out)
    report = output.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in report
    targets = table_rows(report, "## Targets")
    assert len(targets) == len(results.targets) == 8
    for name, _goal, figure, verdict, _note in targets:
        assert NUMBER.match(figure), (name, figure)
        assert verdict in ("met", "**missed**"), (name, verdict)
    http = table_rows(report, "## HTTP on 127.0.0.1")
    assert [tuple(row[:2]) for row in http] == [("ours", "c1"), ("ours", "c8"), ("ours", "c8 unique"),
                                                ("naive", "c1"), ("naive", "c8")]
    for row in http:
        assert all(NUMBER.match(cell) for cell in row[2:6] + row[8:10]), row
    assert all(NUMBER.match(cell) for row in table_rows(report, "## Scale (dense search only)") for cell in row)
    assert [row.chunks for row in results.scale][-1] == 10_000
    assert results.ours.cold_start.ready_s <= results.ours.cold_start.first_answer_s
    assert all(run.load.failures == 0 for run in results.ours.runs + results.naive.runs)
    assert results.ingest.reingest_embedded < results.ingest.full_embedded
    assert results.soak.load.failures == 0
    assert results.soak.sessions_max <= results.soak.session_bound


def test_load_client_runs_without_failures(fixture_settings, fixture_index, tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({"question": q}) + "\n" for q in
                                 ("Welche Partner hat Ulm?", "Was macht Jena bei der Mobilität?")), encoding="utf-8")
    with running_server(fixture_settings, {"QA_RATE_PER_IP": "100000", "QA_RATE_BURST_IP": "100000"}) as url:
        finished = subprocess.run([sys.executable, "-m", "evaluation.load_client", "--url", url, "--questions",
                                   str(questions), "--concurrency", "4", "--seconds", "2",
                                   # running_server pipes the server's per-request log lines and never
                                   # reads them: past ~900 requests the full pipe would stall the server
                                   "--max-requests", "400"],
                                  check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    result = LoadResult.model_validate_json(finished.stdout)
    assert result.failures == 0 and result.requests > 0
    assert result.status_counts == {"200": result.requests}
    assert result.p50_ms <= result.p95_ms
