"""POST /api/feedback: thumbs up/down on an answer."""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from qa_service.api.deps import RateLimited, StateDep
from qa_service.api.errors import ErrorBody
from qa_service.api.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter(tags=["feedback"])


@router.post("/api/feedback", response_model=FeedbackResponse, status_code=201, dependencies=[RateLimited],
             responses={429: {"model": ErrorBody}})
async def give_feedback(feedback: FeedbackRequest, state: StateDep) -> FeedbackResponse:
    """Store a rating (and optional comment) of an answer for later review."""
    row = await run_in_threadpool(state.feedback.add, feedback.answer_id, feedback.rating, feedback.comment,
                                  feedback.question, feedback.answer)
    return FeedbackResponse(id=row)
