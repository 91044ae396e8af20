"""Ingestion with the real model and FAISS: formats, chunk metadata, incremental re-ingest, atomic index."""

import json
import shutil

import pytest

from qa_service.engine import QAEngine
from qa_service.index.store import IndexUnavailableError, load_index, read_manifest
from qa_service.ingest.pipeline import ingest, is_stale

pytestmark = pytest.mark.model


def test_every_format_is_ingested_and_the_broken_file_reported(fixture_index, engine):
    doc_ids = {chunk.doc_id for chunk in engine.index.chunks}
    assert {"city/ulm", "city/jena", "city/koeln", "context/glossar", "interview/ulm-1",
            "file/pages/stadtwerke-beispiel", "file/pages/jahresbericht-2023"} <= doc_ids
    assert [item.path.endswith("kaputt.pdf") for item in fixture_index.skipped] == [True]
    assert "unreadable" in fixture_index.skipped[0].reason


def test_chunks_carry_metadata_and_the_urls_of_their_sources(engine):
    chunks = [c for c in engine.index.chunks if c.doc_id == "city/ulm" and c.section == "Partnernetzwerk"]
    assert chunks and all(c.city == "Ulm" and c.state == "Baden-Württemberg" for c in chunks)
    sources = engine.index.documents["city/ulm"].sources
    assert all(c.source_ids and all(sources[i].url.startswith("http") for i in c.source_ids) for c in chunks)
    pdf_pages = {c.page for c in engine.index.chunks if c.doc_id == "file/pages/jahresbericht-2023"}
    assert pdf_pages == {1, 2}
    html = [c for c in engine.index.chunks if c.doc_id == "file/pages/stadtwerke-beispiel"]
    assert html[0].title == "Stadtwerke Beispielstadt: Glasfaser und Sensorik"
    assert not any("Skriptinhalt" in c.text for c in html)


def test_chunks_fit_the_models_window(engine, embedder):
    from qa_service.ingest.chunking import embedding_text
    lengths = [embedder.token_count(embedding_text(c)) for c in engine.index.chunks]
    assert max(lengths) <= embedder.max_tokens


def test_manifest_records_model_counts_and_versions(fixture_settings, fixture_index):
    manifest = read_manifest(fixture_settings.index_dir)
    assert manifest.model == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest.dimension == 384
    assert manifest.chunk_count == fixture_index.chunks
    assert {"faiss-cpu", "sentence-transformers", "torch", "bm25s"} <= set(manifest.versions)
    assert not is_stale(fixture_settings)


def test_reingest_after_one_change_embeds_only_that_files_chunks(fixture_settings, embedder, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_settings.corpus_dir, corpus)
    settings = fixture_settings.model_copy(update={"corpus_dir": corpus, "index_dir": tmp_path / "index"})
    first = ingest(settings, embedder)
    again = ingest(settings, embedder)
    assert again.embedded == 0
    profile = corpus / "cities" / "jena.md"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "## Überblick\n", "## Überblick\n\nJena testet eine neue Ampel am Holzmarkt. [s1]\n", 1), encoding="utf-8")
    assert is_stale(settings)
    changed = ingest(settings, embedder)
    assert 1 <= changed.embedded <= 4  # the changed chunk and its new sentence(s), nothing else
    assert changed.chunks >= first.chunks


def test_a_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexUnavailableError, match="No index found.*qa-service ingest"):
        load_index(tmp_path / "nowhere", "sentence-transformers/all-MiniLM-L6-v2")


def test_an_index_of_another_model_is_refused(fixture_settings, fixture_index):
    with pytest.raises(IndexUnavailableError, match="built with the model .*re-ingest"):
        load_index(fixture_settings.index_dir, "some/other-model")


def test_a_truncated_index_file_is_a_clear_error(fixture_settings, embedder, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(fixture_settings.index_dir, index_dir, symlinks=True)
    dense = (index_dir / "current").resolve() / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:100])
    with pytest.raises(IndexUnavailableError, match="damaged.*qa-service ingest"):
        QAEngine.load(fixture_settings.model_copy(update={"index_dir": index_dir}), embedder)


def test_a_manifest_that_disagrees_with_the_files_is_refused(fixture_settings, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(fixture_settings.index_dir, index_dir, symlinks=True)
    manifest_path = (index_dir / "current").resolve() / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["chunk_count"] += 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexUnavailableError, match="inconsistent"):
        load_index(index_dir, manifest["model"])
