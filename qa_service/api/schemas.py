"""Request and response models of the HTTP API."""

from typing import Literal

from pydantic import BaseModel, Field

from qa_service.models import Answer

Mode = Literal["hybrid", "dense", "bm25"]
DocType = Literal["city_profile", "context", "interview", "document"]


class AskRequest(BaseModel):
    question: str = Field(description="The question, German or English", examples=["Welche Partner hat Ulm?"])
    city: str | None = Field(None, description="Restrict to one city (slug or name)", examples=["ulm"])
    state: str | None = Field(None, description="Restrict to one federal state", examples=["Bayern"])
    type: DocType | None = Field(None, description="Restrict to one document type")
    mode: Mode | None = Field(None, description="Retrieval mode; default hybrid")
    top_k: int | None = Field(None, ge=1, le=50, description="Passages to retrieve")


class AskResponse(Answer):
    answer_id: str = Field(description="Id to refer to this answer, e.g. in feedback")


class ChatRequest(BaseModel):
    session_id: str | None = Field(None, max_length=64, description="Omit to start a conversation")
    message: str = Field(description="The user's message", examples=["Was macht Ulm bei der Mobilität?"])
    city: str | None = Field(None, description="Bind the conversation to one city (slug or name)")


class ChatResponse(AskResponse):
    session_id: str
    resolved_question: str = Field(description="The message as understood in the conversation")


class Passage(BaseModel):
    rank: int
    score: float
    doc_id: str
    title: str
    doc_type: str
    city: str | None
    state: str | None
    section: str | None
    page: int | None
    text: str
    sources: list[dict]


class SearchResponse(BaseModel):
    query: str
    mode: Mode
    cities_detected: list[str]
    passages: list[Passage]


class FeedbackRequest(BaseModel):
    answer_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)
    question: str | None = Field(None, max_length=2000)
    answer: str | None = Field(None, max_length=10_000)


class FeedbackResponse(BaseModel):
    ok: bool = True
    id: int


class CitySummary(BaseModel):
    slug: str
    name: str
    state: str | None
    facts: dict = Field(default_factory=dict, description="Sourced structured facts from cities.yaml")


class CitySection(BaseModel):
    title: str | None
    text: str


class CityDetail(CitySummary):
    doc_id: str | None
    sections: list[CitySection]
    sources: list[dict]


class Health(BaseModel):
    status: str
    ready: bool | None = None
    reason: str | None = None
    chunks: int | None = None
    model: str | None = None
