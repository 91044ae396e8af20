"""Loaders per format and the corpus walk, on real files."""

import os

from qa_service.ingest.loaders import HtmlLoader, MarkdownLoader, load_corpus
from tests.conftest import FIXTURES


def test_markdown_sections_follow_headings_and_keep_front_matter():
    document = MarkdownLoader().load(FIXTURES / "corpus" / "cities" / "ulm.md", "file/x")
    assert (document.doc_id, document.doc_type, document.city) == ("city/ulm", "city_profile", "Ulm")
    titles = [section.title for section in document.sections]
    assert "Partnernetzwerk" in titles
    assert any(title.startswith("Projekte: ") for title in titles)
    assert document.sources[0].url.startswith("http")


def test_html_keeps_title_and_visible_text_only():
    document = HtmlLoader().load(FIXTURES / "corpus" / "pages" / "stadtwerke-beispiel.html", "file/html")
    assert document.title == "Stadtwerke Beispielstadt: Glasfaser und Sensorik"
    text = " ".join(section.text for section in document.sections)
    assert "40.000 Haushalte" in text and "Bodensensoren" in text
    assert "Skriptinhalt" not in text and "font-family" not in text
    assert [s.title for s in document.sections] == ["Glasfaserausbau", "Sensorik"]


def test_unreadable_files_are_reported_not_fatal(tmp_path):
    (tmp_path / "gut.txt").write_text("Titel\n\nEin lesbarer Text über Ulm.", encoding="utf-8")
    (tmp_path / "kaputt.pdf").write_bytes(b"not a pdf")
    (tmp_path / "latin1.md").write_bytes("Stra\xdfe".encode("latin-1"))
    documents, skipped = load_corpus(tmp_path)
    assert [d.doc_id for d in documents] == ["file/gut"]
    assert sorted(os.path.basename(s.path) for s in skipped) == ["kaputt.pdf", "latin1.md"]
    assert all(s.reason.startswith("unreadable") for s in skipped)


def test_symlinks_leading_out_of_the_corpus_are_refused(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "geheim.txt").write_text("Geheim", encoding="utf-8")
    (corpus / "ok.txt").write_text("Offen", encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside / "geheim.txt")
    (corpus / "ordner").symlink_to(outside, target_is_directory=True)
    documents, skipped = load_corpus(corpus)
    assert [d.doc_id for d in documents] == ["file/ok"]
    assert {os.path.basename(s.path) for s in skipped} >= {"link.txt", "ordner"}
    assert all("outside the corpus root" in s.reason for s in skipped)
