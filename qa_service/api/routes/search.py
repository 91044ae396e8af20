"""GET /api/search: ranked passages with scores and metadata, no answer."""

from typing import Annotated

from fastapi import APIRouter, Query
import anyio

from qa_service.api.deps import LoadedDep, RateLimited, StateDep, checked_filters, clean_question
from qa_service.api.errors import ErrorBody
from qa_service.api.schemas import DocType, Mode, Passage, SearchResponse
from qa_service.ingest.markers import strip_markers

router = APIRouter(tags=["search"])


@router.get("/api/search", response_model=SearchResponse, dependencies=[RateLimited],
            responses={400: {"model": ErrorBody}, 429: {"model": ErrorBody}, 503: {"model": ErrorBody}})
async def search(state: StateDep, loaded: LoadedDep,
                 q: Annotated[str, Query(description="Search text", examples=["Open Data Ulm"])],
                 city: str | None = None, state_name: Annotated[str | None, Query(alias="state")] = None,
                 type: DocType | None = None, mode: Mode = "hybrid",
                 top_k: Annotated[int, Query(ge=1, le=50)] = 10) -> SearchResponse:
    """The passages that best match `q`, for readers who want the sources themselves."""
    query = clean_question(q, state.settings.max_question_chars, field="q")
    filters = checked_filters(loaded, city, state_name, type)
    engine = loaded.engine
    vector = None if mode == "bm25" else await state.batcher.embed(query)
    result = await anyio.to_thread.run_sync(engine.search, query, mode, top_k, filters, vector,
                                            limiter=state.answer_threads)
    passages = []
    for rank, hit in enumerate(result.hits, start=1):
        chunk = engine.index.chunks[hit.chunk_index]
        known = engine.index.documents[chunk.doc_id].sources
        passages.append(Passage(
            rank=rank, score=round(hit.score, 6), doc_id=chunk.doc_id, title=chunk.title,
            doc_type=chunk.doc_type, city=chunk.city, state=chunk.state, section=chunk.section, page=chunk.page,
            text=strip_markers(chunk.text),
            sources=[known[i].model_dump() for i in chunk.source_ids if i in known]))
    return SearchResponse(query=query, mode=mode, cities_detected=result.cities, passages=passages)
