"""Prometheus metrics of one app instance (own registry, so several apps can live in one process)."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("qa_http_requests_total", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("qa_http_request_duration_seconds", "HTTP request latency by route",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.answers = Counter("qa_answers_total", "Answers given, by whether the service abstained",
                               ["abstained"], registry=self.registry)
        self.rate_limited = Counter("qa_rate_limited_total", "Requests refused by rate limiting",
                                    ["scope"], registry=self.registry)
        self.index_chunks = Gauge("qa_index_chunks", "Chunks in the loaded index", registry=self.registry)
        self.sessions = Gauge("qa_chat_sessions", "Chat sessions in memory", registry=self.registry)
        self.embedding_batches = Gauge("qa_embedding_batches", "Model calls made for question embeddings",
                                       registry=self.registry)
        self.embedded_questions = Gauge("qa_embedded_questions", "Questions embedded by those calls",
                                        registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
