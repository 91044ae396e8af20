"""POST /api/ask: one question, one cited answer."""

from fastapi import APIRouter

from qa_service.api.answering import answer_question
from qa_service.api.deps import LoadedDep, RateLimited, StateDep, checked_filters, clean_question
from qa_service.api.errors import ErrorBody
from qa_service.api.schemas import AskRequest, AskResponse

router = APIRouter(tags=["answers"])


@router.post("/api/ask", response_model=AskResponse, dependencies=[RateLimited],
             responses={400: {"model": ErrorBody}, 429: {"model": ErrorBody}, 503: {"model": ErrorBody}})
async def ask(request: AskRequest, state: StateDep, loaded: LoadedDep) -> AskResponse:
    """Answer a question from the corpus with numbered citations (`[n]` in the text), or abstain
    (`abstained: true`) when the corpus has no evidence, listing the closest sources."""
    question = clean_question(request.question, state.settings.max_question_chars)
    filters = checked_filters(loaded, request.city, request.state, request.type)
    return await answer_question(state, loaded, question, filters, request.mode, request.top_k)
