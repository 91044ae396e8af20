"""One loader per file format, behind one interface, and the walk over a corpus folder."""

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bs4 import BeautifulSoup
from pypdf import PdfReader

from qa_service.ingest.documents import Document, Section
from qa_service.ingest.frontmatter import split_front_matter
from qa_service.models import Source

log = logging.getLogger(__name__)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


class Loader(Protocol):
    suffixes: tuple[str, ...]

    def load(self, path: Path, doc_id: str) -> Document: ...


class MarkdownLoader:
    """Markdown with optional YAML front matter; sections follow the `##` and `###` headings."""
    suffixes = (".md", ".markdown")

    def load(self, path: Path, doc_id: str) -> Document:
        meta, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
        sections, title = self._sections(body)
        return Document(
            doc_id=meta.get("id") or doc_id,
            title=meta.get("title") or title or path.stem,
            doc_type=meta.get("type") or "document",
            path=str(path),
            sections=sections,
            city=meta.get("city"),
            state=meta.get("state"),
            sources=[Source(**source) for source in meta.get("sources") or []],
        )

    @staticmethod
    def _sections(body: str) -> tuple[list[Section], str | None]:
        sections: list[Section] = []
        title, parent, current, lines = None, None, None, []

        def flush():
            text = "\n".join(lines).strip()
            if text:
                sections.append(Section(text=text, title=current))
            lines.clear()

        for line in body.splitlines():
            match = HEADING.match(line)
            if not match:
                lines.append(line)
                continue
            level, heading = len(match.group(1)), match.group(2)
            flush()
            if level == 1:
                title, parent, current = title or heading, None, None
            elif level == 2:
                parent = current = heading
            else:
                current = f"{parent}: {heading}" if parent else heading
        flush()
        return sections, title


class TextLoader:
    """Plain text; the first non-empty line is the title."""
    suffixes = (".txt",)

    def load(self, path: Path, doc_id: str) -> Document:
        text = path.read_text(encoding="utf-8")
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)
        return Document(doc_id=doc_id, title=first_line[:120], doc_type="document", path=str(path),
                        sections=[Section(text=text.strip())])


class HtmlLoader:
    """HTML: the <title> (or first <h1>) and the visible text, one section per <h2>."""
    suffixes = (".html", ".htm")
    BLOCKS = ("p", "li", "h3", "h4", "td", "blockquote", "pre", "dd", "dt")

    def load(self, path: Path, doc_id: str) -> Document:
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        for hidden in soup(["script", "style", "noscript", "template"]):
            hidden.decompose()
        heading = soup.title or soup.find("h1")
        title = heading.get_text(" ", strip=True) if heading else path.stem
        sections: list[Section] = []
        current, paragraphs = None, []
        for element in (soup.body or soup).find_all(["h2", *self.BLOCKS]):
            if element.name == "h2":
                if paragraphs:
                    sections.append(Section(text="\n\n".join(paragraphs), title=current))
                current, paragraphs = element.get_text(" ", strip=True), []
            elif not element.find(self.BLOCKS) and (text := element.get_text(" ", strip=True)):
                paragraphs.append(text)
        if paragraphs:
            sections.append(Section(text="\n\n".join(paragraphs), title=current))
        return Document(doc_id=doc_id, title=title, doc_type="document", path=str(path), sections=sections)


class PdfLoader:
    """PDF through pypdf, one section per page so citations can name the page."""
    suffixes = (".pdf",)

    def load(self, path: Path, doc_id: str) -> Document:
        reader = PdfReader(path)
        title = (reader.metadata.title if reader.metadata else None) or path.stem
        sections = [Section(text=text.strip(), page=number)
                    for number, page in enumerate(reader.pages, start=1)
                    if (text := page.extract_text() or "").strip()]
        return Document(doc_id=doc_id, title=title, doc_type="document", path=str(path), sections=sections)


LOADERS: tuple[Loader, ...] = (MarkdownLoader(), TextLoader(), HtmlLoader(), PdfLoader())


@dataclass
class SkippedFile:
    path: str
    reason: str


def corpus_files(root: Path) -> tuple[list[Path], list[SkippedFile]]:
    """Every loadable file below `root`, refusing anything that resolves outside it."""
    root = root.resolve()
    files, skipped = [], []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if not path.resolve().is_relative_to(root):
            skipped.append(SkippedFile(str(path), "refused: it leads outside the corpus root"))
        elif path.is_file() and any(path.suffix.lower() in loader.suffixes for loader in LOADERS):
            files.append(path)
    return files, skipped


def load_corpus(root: Path) -> tuple[list[Document], list[SkippedFile]]:
    """Load every document below `root`; report unreadable files instead of aborting."""
    files, skipped = corpus_files(root)
    documents = []
    for path in files:
        loader = next(loader for loader in LOADERS if path.suffix.lower() in loader.suffixes)
        doc_id = "file/" + path.resolve().relative_to(root.resolve()).with_suffix("").as_posix()
        try:
            document = loader.load(path, doc_id)
        except Exception as error:  # any parser failure: report the file and go on
            skipped.append(SkippedFile(str(path), f"unreadable: {type(error).__name__}: {error}"))
            continue
        if not document.sections:
            skipped.append(SkippedFile(str(path), "no text found"))
            continue
        documents.append(document)
    for item in skipped:
        log.warning("skipped %s (%s)", item.path, item.reason)
    return documents, skipped
