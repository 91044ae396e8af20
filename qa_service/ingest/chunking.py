"""Split documents into chunks that respect their structure, and chunks into cited sentences.

Markdown is split by headings first (the loader's sections), then by size with LangChain's
RecursiveCharacterTextSplitter on paragraph boundaries. A paragraph longer than a chunk is cut,
and each piece keeps the paragraph's source markers so no sentence loses its sources.
"""

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from qa_service.ingest.documents import Document
from qa_service.ingest.markers import BULLET, TRAILING_MARKERS, is_bullet, marker_ids, strip_markers
from qa_service.ingest.sentences import split_sentences
from qa_service.models import Chunk

EMPHASIS = re.compile(r"\*\*|__")
INTERVIEW_QUESTION = re.compile(r"^Frage:.*?\?\s*(?:Antwort:\s*)?", re.S)


@dataclass(frozen=True)
class EvidenceSentence:
    """One sentence of a chunk with the ids of the sources that support it."""
    chunk_index: int
    text: str
    source_ids: tuple[str, ...]


def _paragraph_pieces(section_text: str, chunk_size: int) -> list[str]:
    """The section's paragraphs, long ones cut into pieces that each end with the paragraph's markers."""
    pieces = []
    for paragraph in re.split(r"\n\s*\n", section_text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= chunk_size:
            pieces.append(paragraph)
            continue
        markers = TRAILING_MARKERS.search(paragraph)
        suffix = markers.group(0).strip() if markers else ""
        body = paragraph[:markers.start()] if markers else paragraph
        cutter = _splitter(max(50, chunk_size - len(suffix) - 1), 0)
        pieces += [f"{part} {suffix}".strip() for part in cutter.split_text(body)]
    return pieces


def _splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=chunk_overlap,
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""], keep_separator="end")


def chunk_document(document: Document, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    splitter = _splitter(chunk_size, chunk_overlap)
    chunks = []
    for section in document.sections:
        pieces = _paragraph_pieces(section.text, chunk_size)
        for text in splitter.split_text("\n\n".join(pieces)):
            digest = hashlib.sha1(f"{document.doc_id}\n{section.title}\n{section.page}\n{text}".encode()).hexdigest()
            chunks.append(Chunk(
                id=digest[:16], doc_id=document.doc_id, title=document.title, doc_type=document.doc_type,
                city=document.city, state=document.state, section=section.title, page=section.page,
                path=document.path, text=text, source_ids=marker_ids(text)))
    return chunks


def _evidence_units(paragraph: str) -> list[tuple[str, list[str]]]:
    """(text, source ids) units of a paragraph; a list's intro line and its items form one unit."""
    units: list[tuple[str, list[str]]] = []
    for line in paragraph.splitlines():
        text, ids = strip_markers(line), marker_ids(line)
        item = is_bullet(line)
        text = BULLET.sub("", text) if item else text
        if item and units and units[-1][0].endswith((":", ";")):
            intro, intro_ids = units[-1]
            units[-1] = (f"{intro} {text.rstrip('.')};", intro_ids + [i for i in ids if i not in intro_ids])
        elif units and not item and not units[-1][1]:  # a paragraph's continuation line
            units[-1] = (f"{units[-1][0]} {text}", ids)
        else:
            units.append((text, ids))
    return [(text.rstrip(";") + ("." if text.endswith(";") else ""), ids) for text, ids in units]


def evidence_sentences(chunk: Chunk, chunk_index: int) -> list[EvidenceSentence]:
    """Sentences of a chunk, each with the ids of the sources its paragraph cites.

    Interview questions ("Frage: ...") are context, not evidence, and are left out.
    """
    sentences = []
    for paragraph in re.split(r"\n\s*\n", chunk.text):
        for text, source_ids in _evidence_units(paragraph):
            text = INTERVIEW_QUESTION.sub("", EMPHASIS.sub("", text)).strip()
            for sentence in split_sentences(text):
                if len(sentence) >= 15 and not sentence.endswith(":"):  # a list's intro without its items
                    sentences.append(EvidenceSentence(chunk_index, sentence, tuple(source_ids)))
    return sentences


def embedding_text(chunk: Chunk) -> str:
    """What the models see of a chunk: its title and section give a passage its context."""
    heading = " – ".join(part for part in (chunk.title, chunk.section) if part)
    return f"{heading}\n{strip_markers(chunk.text)}"
