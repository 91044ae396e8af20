"""The corpus validator on the real corpus and on copies broken in each way it must catch."""

import shutil

import pytest

from qa_service.cli import main as cli_main
from qa_service.config import ROOT
from qa_service.ingest.validate import validate_corpus

CORPUS = ROOT / "corpus"


def test_the_real_corpus_is_valid():
    assert validate_corpus(CORPUS) == []


def test_cli_reports_a_valid_corpus(capsys):
    assert cli_main(["validate-corpus", str(CORPUS)]) == 0
    assert "is valid" in capsys.readouterr().out


@pytest.fixture
def corpus_copy(tmp_path):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_city_is_named(corpus_copy):
    (corpus_copy / "cities" / "ulm.md").unlink()
    assert any("profile of Ulm is missing" in p for p in validate_corpus(corpus_copy))


def test_a_missing_front_matter_field_is_named(corpus_copy):
    edit(corpus_copy / "cities" / "jena.md", "as_of:", "asof:")
    assert any("jena.md: front matter misses 'as_of'" in p for p in validate_corpus(corpus_copy))


def test_a_wrong_type_is_named(corpus_copy):
    edit(corpus_copy / "cities" / "jena.md", "as_of: 20", "as_of: 'zwanzig'\nx: 20")
    assert any("'as_of' has wrong type str" in p for p in validate_corpus(corpus_copy))


def test_a_repeated_id_is_named(corpus_copy):
    shutil.copy(corpus_copy / "context" / "glossar.md", corpus_copy / "context" / "glossar-kopie.md")
    edit(corpus_copy / "context" / "glossar-kopie.md", "slug: glossar", "slug: glossar-kopie")
    problems = validate_corpus(corpus_copy)
    assert any("id 'context/glossar'; expected 'context/glossar-kopie'" in p for p in problems)


def test_a_paragraph_without_marker_is_named_with_its_line(corpus_copy):
    path = corpus_copy / "cities" / "ulm.md"
    edit(path, "## Organisation\n", "## Organisation\n\nEin Satz ohne Quelle.\n")
    assert any(p.startswith(f"{path}:") and "no source marker" in p and "Ein Satz ohne Quelle" in p
               for p in validate_corpus(corpus_copy))


def test_a_marker_without_source_is_named(corpus_copy):
    edit(corpus_copy / "cities" / "ulm.md", "## Organisation\n", "## Organisation\n\nNeu. [s99]\n")
    assert any("marker [s99] points to no source" in p for p in validate_corpus(corpus_copy))


def test_a_malformed_url_is_named(corpus_copy):
    edit(corpus_copy / "cities" / "ulm.md", 'url: "https://', 'url: "htps//')
    assert any("malformed url" in p for p in validate_corpus(corpus_copy))


def test_a_state_disagreeing_with_the_facts_table_is_named(corpus_copy):
    edit(corpus_copy / "cities.yaml", "state: Baden-Württemberg", "state: Bayern")
    assert any("has state 'Bayern' but its profile says 'Baden-Württemberg'" in p
               for p in validate_corpus(corpus_copy))


def test_a_slug_disagreeing_with_the_facts_table_is_named(corpus_copy):
    edit(corpus_copy / "cities.yaml", "slug: ulm", "slug: ulm-donau")
    assert any("has slug 'ulm-donau'; expected 'ulm'" in p for p in validate_corpus(corpus_copy))


def test_the_cli_fails_on_problems(corpus_copy, capsys):
    (corpus_copy / "cities" / "ulm.md").unlink()
    assert cli_main(["validate-corpus", str(corpus_copy)]) == 1
    assert "problem(s)" in capsys.readouterr().out
