"""Feedback on answers (thumbs up/down, optional comment), kept in SQLite for later review."""

import sqlite3
import time
from pathlib import Path
from threading import Lock


class FeedbackStore:
    def __init__(self, path: Path, retention_days: int = 365):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("""CREATE TABLE IF NOT EXISTS feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL, answer_id TEXT NOT NULL,
            rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT, question TEXT, answer TEXT)""")
        self._db.commit()
        self._retention = retention_days * 86400
        self._lock = Lock()

    def add(self, answer_id: str, rating: str, comment: str | None, question: str | None,
            answer: str | None) -> int:
        with self._lock, self._db:
            self._db.execute("DELETE FROM feedback WHERE created_at < ?", (time.time() - self._retention,))
            cursor = self._db.execute(
                "INSERT INTO feedback (created_at, answer_id, rating, comment, question, answer) VALUES (?,?,?,?,?,?)",
                (time.time(), answer_id, rating, comment, question, answer))
            return cursor.lastrowid

    def export(self) -> list[dict]:
        with self._lock:
            cursor = self._db.execute("SELECT id, created_at, answer_id, rating, comment, question, answer "
                                      "FROM feedback ORDER BY id")
            columns = [column[0] for column in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]
