"""Chat sessions and follow-up resolution without an LLM.

A follow-up inherits what it lacks from the previous turn: "Was macht Ulm bei der Mobilität?" then
"Und Jena?" becomes "Was macht Jena bei der Mobilität?"; then "Und welche Partner hat die Stadt?"
is searched within Jena.
"""

import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from qa_service.retrieve.cities import CityDetector

FILLER = frozenset("und oder aber auch noch dann dort da hier bei in im fuer von zu zur zum mit wie was "
                   "ist sind hat haben die der das den dem des ein eine einer es sie er stadt staedte denn so "
                   "mal bitte mehr dazu darueber weiter genauer viele viel wieviele gibt and what about how "
                   "the city".split())  # folded
# Words that point back to the previous turn's topic ("Wie viel Geld gab es dafür?").
ANAPHORA = re.compile(r"(?<!\w)(dafuer|dazu|davon|darueber|darin|dort|damals|dabei|dieses? projekts?|das projekt|"
                      r"diese[mnrs]? (?:strategie|programm|vorhaben|initiative))(?!\w)")


@dataclass
class Turn:
    message: str
    question: str  # the message as resolved against the conversation
    city: str | None


@dataclass
class Session:
    id: str
    last_seen: float
    turns: list[Turn] = field(default_factory=list)


@dataclass
class ResolvedQuestion:
    question: str
    city: str | None  # city the search is bound to, if any


def content_words(text: str, detector: CityDetector) -> list[str]:
    """The words of a message that are neither filler nor a city name."""
    words = re.findall(r"\w+", detector.without_mentions(text))
    return [word for word in words if word not in FILLER and len(word) > 1]


def resolve_followup(message: str, previous: Turn | None, detector: CityDetector,
                     explicit_city: str | None = None) -> ResolvedQuestion:
    """Fill in the city and the topic a follow-up message leaves out."""
    cities = detector.detect(message)
    if previous is None:
        return ResolvedQuestion(message, explicit_city)
    has_topic = bool(content_words(message, detector))
    if cities and not has_topic:
        # "Und Jena?": the previous question, asked about the new city
        previous_cities = detector.detect(previous.question)
        question = previous.question
        if previous_cities:
            question = _replace_city(question, previous_cities[0], cities[0], detector)
        else:
            question = f"{question} ({cities[0]})"
        return ResolvedQuestion(question, explicit_city)
    if not cities and not has_topic:
        return ResolvedQuestion(previous.question, explicit_city or previous.city)
    if not cities:
        # a new topic without a city: stay with the city of the conversation, and with its topic too
        # when the message points back to it
        if ANAPHORA.search(detector.without_mentions(message)):
            return ResolvedQuestion(f"{message} ({previous.question})", explicit_city or previous.city)
        return ResolvedQuestion(message, explicit_city or previous.city)
    return ResolvedQuestion(message, explicit_city)


def take_turn(message: str, previous: Turn | None, detector: CityDetector,
              explicit_city: str | None = None) -> tuple[ResolvedQuestion, Turn]:
    """Resolve a message against the previous turn and return it with the turn to remember."""
    resolved = resolve_followup(message, previous, detector, explicit_city)
    detected = detector.detect(resolved.question)
    turn_city = resolved.city or (detected[0] if len(detected) == 1 else None)
    return resolved, Turn(message, resolved.question, turn_city)


def _replace_city(question: str, old: str, new: str, detector: CityDetector) -> str:
    for word in sorted({w for w in re.findall(r"[\wäöüß'-]+", question) if detector.detect(w) == [old]},
                       key=len, reverse=True):
        question = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", new, question)
    return question


class SessionStore:
    """Sessions kept in memory, expiring after `ttl` seconds idle, at most `max_sessions` at once."""

    def __init__(self, ttl: float, max_sessions: int, clock=time.monotonic):
        self.ttl, self.max_sessions, self._clock = ttl, max_sessions, clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._sessions)

    def _expire(self):
        now = self._clock()
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.last_seen <= self.ttl:
                break
            self._sessions.popitem(last=False)

    def get_or_create(self, session_id: str | None) -> Session:
        with self._lock:
            self._expire()
            session = self._sessions.get(session_id) if session_id else None
            if session is None:
                session = Session(id=uuid.uuid4().hex, last_seen=self._clock())
                self._sessions[session.id] = session
                while len(self._sessions) > self.max_sessions:
                    self._sessions.popitem(last=False)
            session.last_seen = self._clock()
            self._sessions.move_to_end(session.id)
            return session

    def record(self, session: Session, turn: Turn, keep: int = 20):
        with self._lock:
            session.turns = (session.turns + [turn])[-keep:]
