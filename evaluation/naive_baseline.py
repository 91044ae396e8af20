"""The naive baseline: the LangChain RAG tutorial pipeline, answering with the top chunk instead of an LLM.

RecursiveCharacterTextSplitter(1000, 200) over the corpus files, HuggingFaceEmbeddings on the same local
model as the service, a FAISS vector store and `similarity_search(k=4)`. It has no city filter, no
conversation handling and never abstains: it is the yardstick the service has to beat.
"""

import time
import warnings
from pathlib import Path

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter
from pydantic import BaseModel

from qa_service.ingest.frontmatter import split_front_matter
from qa_service.ingest.loaders import corpus_files
from qa_service.ingest.markers import strip_markers
from qa_service.ingest.sentences import split_sentences

with warnings.catch_warnings():  # langchain-community announces its own sunset on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings

TEXT_SUFFIXES = (".md", ".markdown", ".txt")
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200
ANSWER_CHUNKS = 4


class NaiveAnswer(BaseModel):
    answer: str
    doc_ids: list[str]  # document of each retrieved chunk, in rank order (repeats possible)
    seconds: float


def load_documents(corpus_dir: Path) -> list[Document]:
    """The corpus's text files as LangChain documents, front matter moved into the metadata.

    Document ids follow the service: the front matter's `id`, else `file/<relative path>`.
    """
    root = corpus_dir.resolve()
    documents = []
    for path in corpus_files(root)[0]:
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        meta, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
        doc_id = meta.get("id") or "file/" + path.relative_to(root).with_suffix("").as_posix()
        documents.append(Document(page_content=body, metadata={"doc_id": doc_id, "source": str(path)}))
    if not documents:
        raise ValueError(f"No Markdown or text files in {corpus_dir} for the naive baseline.")
    return documents


class NaiveRAG:
    """The tutorial pipeline over one corpus folder.

    >>> naive = NaiveRAG.build(Path("corpus"), resolve_model_path(""))
    >>> naive.ask("Welche Partner hat Ulm?").doc_ids[0]
    'city/ulm'
    """

    def __init__(self, store: FAISS, chunk_count: int, build_seconds: float):
        self.store, self.chunk_count, self.build_seconds = store, chunk_count, build_seconds

    @classmethod
    def build(cls, corpus_dir: Path, model_path: str) -> "NaiveRAG":
        started = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        chunks = splitter.split_documents(load_documents(corpus_dir))
        embeddings = HuggingFaceEmbeddings(model_name=model_path,
                                           model_kwargs={"device": "cpu", "local_files_only": True})
        store = FAISS.from_documents(chunks, embeddings)
        return cls(store, len(chunks), time.perf_counter() - started)

    def search(self, question: str, k: int = ANSWER_CHUNKS) -> list[str]:
        """Document ids of the k most similar chunks, in rank order."""
        return [chunk.metadata["doc_id"] for chunk in self.store.similarity_search(question, k=k)]

    def ask(self, question: str) -> NaiveAnswer:
        """The sentences of the top chunk, source markers removed, as the answer."""
        started = time.perf_counter()
        chunks = self.store.similarity_search(question, k=ANSWER_CHUNKS)
        answer = " ".join(split_sentences(strip_markers(chunks[0].page_content))) if chunks else ""
        return NaiveAnswer(answer=answer, doc_ids=[chunk.metadata["doc_id"] for chunk in chunks],
                           seconds=time.perf_counter() - started)
