"""Typed shapes shared by every layer: sources, chunks, the index manifest and answers."""

from pydantic import BaseModel, Field


class Source(BaseModel):
    """A primary source that supports statements of a document."""
    id: str
    url: str | None = None
    title: str = ""
    date: str = "unbekannt"
    publication: str | None = None


class Chunk(BaseModel):
    """A passage of a document as stored in the index.

    `text` keeps the source markers (`[s1]`) so each sentence can be traced to its sources;
    `source_ids` lists every source the chunk's paragraphs cite.
    """
    id: str
    doc_id: str
    title: str
    doc_type: str
    city: str | None = None
    state: str | None = None
    section: str | None = None
    page: int | None = None
    path: str
    text: str
    source_ids: list[str] = Field(default_factory=list)


class Manifest(BaseModel):
    """What an index was built from and with."""
    model: str
    dimension: int
    chunk_count: int
    sentence_count: int
    corpus_hash: str
    settings_hash: str
    index_type: str
    built_at: str
    build_seconds: float
    versions: dict[str, str]
    skipped_files: list[str] = Field(default_factory=list)


class CitationSource(BaseModel):
    url: str | None
    title: str
    date: str
    publication: str | None = None


class Citation(BaseModel):
    n: int = Field(description="Number used by the markers [n] in the answer")
    doc_id: str
    title: str
    city: str | None
    section: str | None
    page: int | None
    url: str | None = Field(description="Primary source of the cited passage")
    snippet: str
    score: float
    sources: list[CitationSource] = Field(default_factory=list, description="All sources of the cited passage")


class Timings(BaseModel):
    embed: float = 0.0
    search: float = 0.0
    answer: float = 0.0
    total: float = 0.0


class Answer(BaseModel):
    """The answer shape returned by every interface."""
    answer: str
    abstained: bool
    citations: list[Citation]
    timings_ms: Timings
