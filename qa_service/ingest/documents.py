"""A loaded document: metadata, its sources and its sections, before chunking."""

from dataclasses import dataclass, field

from qa_service.models import Source


@dataclass
class Section:
    """A part of a document under one heading (or one PDF page)."""
    text: str
    title: str | None = None
    page: int | None = None


@dataclass
class Document:
    doc_id: str
    title: str
    doc_type: str
    path: str
    sections: list[Section]
    city: str | None = None
    state: str | None = None
    sources: list[Source] = field(default_factory=list)
