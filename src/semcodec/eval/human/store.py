"""The answers of a 2AFC study in one SQLite file.

SQLite in WAL mode with ``synchronous=FULL``: every answer is on disk when its request returns,
so a server killed or restarted loses nothing, and readers (the analysis) never block writers.
Drawing a participant's trials reads how often each pair was shown and inserts the new trials in
one ``BEGIN IMMEDIATE`` transaction, so two participants starting at once never clash. Each
operation opens its own short-lived connection: safe from any thread.

The file records which study it belongs to (the design's identity); a server refuses to add
answers to a file of another study. Participants are anonymous: a random id, the trials drawn
for it, each answer and its response time; nothing else about a person is stored.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...errors import InputError
from .design import TrialSpec

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS participants (id TEXT PRIMARY KEY, created REAL NOT NULL, finished REAL)",
    """CREATE TABLE IF NOT EXISTS trials (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        participant TEXT NOT NULL REFERENCES participants(id),
        position INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('pair', 'check')),
        image TEXT NOT NULL, left TEXT NOT NULL, right TEXT NOT NULL,
        correct TEXT CHECK (correct IN ('left', 'right')),
        issued REAL NOT NULL,
        answer TEXT CHECK (answer IN ('left', 'right')), answered REAL, ms INTEGER,
        UNIQUE (participant, position))""",
)
_ANSWER_FIELDS = ("participant", "position", "kind", "image", "left", "right", "correct", "answer", "ms")


class TrialNotIssued(InputError):
    """An answer for a trial the server did not issue to this participant."""

    http_status = 403


class AlreadyAnswered(InputError):
    """A second, different answer to a trial."""

    http_status = 409


class AnswerStore:
    """The answers file at ``path``. ``study`` (the design's ``identity()``) creates the file or
    checks that it belongs to that study; without it the file must exist (for analysis)."""

    def __init__(self, path: str | os.PathLike[str], study: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        if study is None:
            if not self.path.is_file():
                raise InputError(f"{self.path} does not exist; give the answers file of a study")
            self.study = self._read_study()
            return
        if not self.path.parent.is_dir():
            raise InputError(f"the folder of the answers file {self.path} does not exist; create it first")
        try:
            with self._tx() as db:
                for statement in _SCHEMA:
                    db.execute(statement)
                db.execute("INSERT OR IGNORE INTO meta VALUES ('study', ?)", (json.dumps(study, sort_keys=True),))
        except sqlite3.DatabaseError as e:
            raise InputError(f"{self.path} is not a semcodec study answers file ({e})") from None
        self.study = self._read_study()
        if self.study.get("fingerprint") != study.get("fingerprint"):
            raise InputError(f"{self.path} holds the answers of another study (other run, methods or images); "
                             "give a new answers file")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``): writers queue, none clash."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def _read_study(self) -> dict[str, Any]:
        try:
            db = self._connect()
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'study'").fetchone()
            finally:
                db.close()
        except sqlite3.DatabaseError:
            row = None
        if row is None:
            raise InputError(f"{self.path} is not a semcodec study answers file")
        return json.loads(row[0])

    def add_participant(self, draw: Callable[[dict[tuple[str, str, str], int]], list[TrialSpec]]) -> str:
        """A new anonymous participant whose trials ``draw(counts)`` chooses, given how often each
        (image, method a, method b) pair (a < b) was issued so far; returns the participant's id."""
        pid = secrets.token_urlsafe(18)
        now = time.time()
        with self._tx() as db:
            counts: dict[tuple[str, str, str], int] = {}
            for image, left, right, n in db.execute(
                    "SELECT image, left, right, COUNT(*) FROM trials WHERE kind = 'pair' GROUP BY image, left, right"):
                key = (image, *sorted((left, right)))
                counts[key] = counts.get(key, 0) + n
            specs = draw(counts)
            db.execute("INSERT INTO participants (id, created) VALUES (?, ?)", (pid, now))
            db.executemany(
                "INSERT INTO trials (participant, position, kind, image, left, right, correct, issued) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(pid, i, s.kind, s.image, s.left, s.right, s.correct, now) for i, s in enumerate(specs)])
        return pid

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        db = self._connect()
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def exists(self, pid: str) -> bool:
        """True if ``pid`` is a participant of this study."""
        return bool(self._query("SELECT 1 FROM participants WHERE id = ?", (pid,)))

    def progress(self, pid: str) -> tuple[int, int]:
        """(answered, total) trials of ``pid``."""
        row = self._query("SELECT COUNT(answer), COUNT(*) FROM trials WHERE participant = ?", (pid,))[0]
        return row[0], row[1]

    def next_trial(self, pid: str) -> dict[str, Any] | None:
        """The first unanswered trial of ``pid`` (None when all are answered)."""
        rows = self._query("SELECT * FROM trials WHERE participant = ? AND answer IS NULL ORDER BY position LIMIT 1",
                           (pid,))
        return dict(rows[0]) if rows else None

    def trial(self, pid: str, trial_id: int) -> dict[str, Any]:
        """Trial ``trial_id`` if it was issued to ``pid``; else ``TrialNotIssued``."""
        rows = self._query("SELECT * FROM trials WHERE id = ? AND participant = ?", (trial_id, pid))
        if not rows:
            raise TrialNotIssued("this trial was not issued to you; reload the study page")
        return dict(rows[0])

    def answer(self, pid: str, trial_id: int, choice: str, ms: int | None) -> None:
        """Record ``choice`` (``left`` or ``right``) for a trial issued to ``pid``. Answering again
        with the same choice is accepted (a retried request); another choice is refused."""
        if choice not in ("left", "right"):
            raise InputError(f"an answer is 'left' or 'right', not {choice!r}")
        with self._tx() as db:
            row = db.execute("SELECT answer FROM trials WHERE id = ? AND participant = ?", (trial_id, pid)).fetchone()
            if row is None:
                raise TrialNotIssued("this trial was not issued to you; reload the study page")
            if row[0] is not None:
                if row[0] != choice:
                    raise AlreadyAnswered("this trial is already answered; answers cannot be changed")
                return
            db.execute("UPDATE trials SET answer = ?, answered = ?, ms = ? WHERE id = ?",
                       (choice, time.time(), ms, trial_id))
            db.execute("UPDATE participants SET finished = ? WHERE id = ? AND NOT EXISTS "
                       "(SELECT 1 FROM trials WHERE participant = ? AND answer IS NULL)", (time.time(), pid, pid))

    def answers(self) -> list[dict[str, Any]]:
        """Every answered trial, by participant and position."""
        rows = self._query(f"SELECT {', '.join(_ANSWER_FIELDS)} FROM trials WHERE answer IS NOT NULL "
                           "ORDER BY participant, position")
        return [dict(r) for r in rows]

    def participants(self) -> dict[str, int]:
        """How many participants started and finished."""
        row = self._query("SELECT COUNT(*), COUNT(finished) FROM participants")[0]
        return {"started": row[0], "finished": row[1]}
