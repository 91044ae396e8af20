"""The naive baseline behind HTTP, the way the tutorials serve it, for the benchmark's comparison.

    python -m evaluation.naive_server --port 8001 [--corpus DIR]

The tutorial pipeline keeps its FAISS store in memory only, so the store is built at every start,
before the port opens; GET /readyz answers 200 from then on, POST /api/ask {"question"} answers.
"""

import argparse
import sys
from pathlib import Path

from fastapi import FastAPI
from pydantic import BaseModel, Field

from evaluation.naive_baseline import NaiveRAG
from qa_service.config import get_settings
from qa_service.index.embedder import resolve_model_path


class NaiveAskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)


class NaiveAskResponse(BaseModel):
    answer: str
    doc_ids: list[str]


def create_app(rag: NaiveRAG) -> FastAPI:
    app = FastAPI(title="naive baseline (LangChain tutorial pipeline)")

    @app.get("/readyz")
    def readyz() -> dict[str, bool]:
        return {"ready": True}

    @app.post("/api/ask")
    def ask(request: NaiveAskRequest) -> NaiveAskResponse:  # sync: FastAPI runs it in its thread pool
        answer = rag.ask(request.question)
        return NaiveAskResponse(answer=answer.answer, doc_ids=answer.doc_ids)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.naive_server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--corpus", type=Path, help="corpus folder; default QA_CORPUS_DIR")
    args = parser.parse_args(argv)
    import uvicorn
    settings = get_settings()
    rag = NaiveRAG.build(args.corpus or settings.corpus_dir, resolve_model_path(settings.embedding_model))
    uvicorn.run(create_app(rag), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
