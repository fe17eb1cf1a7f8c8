"""The live class in a database, shared by every session and every server process (SQLAlchemy Core).

SQLite is the embedded default (a file in the user cache folder, WAL, several processes on one machine);
PostgreSQL serves replicas (`EXPLORER_DATABASE_URL`). The schema is made by `ClassStore.migrate()` at start-up.
Nothing per class lives in this process but a copy of each class's state that is at most `ROOM_EVERY` seconds old
(`ClassStore.room_state`, what a room of students polls: one query for the room, not one per student); every other
call reads or writes the database, so any replica can serve any session. Every public method raises
`ClassUnavailable` (and nothing from SQLAlchemy) when the database cannot be reached, is locked or times out; the UI
shows "class features unavailable" then. This module imports no Streamlit: the UI passes in an engine
(`st.connection("classroom", type="sql").engine` or `engine_for(url)`).

Locking: on SQLite every writing transaction starts with BEGIN IMMEDIATE (writers queue on the busy timeout
instead of failing when a read turns into a write); on PostgreSQL a lecturer's transaction locks the class row
(FOR UPDATE) and an answer holds its round (FOR SHARE), so an answer never lands in a round as it closes.
"""

from __future__ import annotations

import hmac
import numbers
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Engine

from core import classroom
from core.classroom import CLOSED, INACTIVE_AFTER, OPEN, PRESENT_WITHIN, REVEALED, View, secret_hash, valid_id
from core.data import cache_dir

URL_ENV = "EXPLORER_DATABASE_URL"
BUSY_TIMEOUT = 5.0  # seconds a writer waits for a lock (SQLite busy timeout, PostgreSQL lock_timeout)
TOUCH_EVERY = 60.0  # students' calls refresh the class's last-active time at most this often (one row, many writers)
MAX_CHOICES = 32
CODE_ATTEMPTS = 20
ROOM_EVERY = 0.25  # seconds a class's state read for the room is shared by this process's sessions
_WRITE = "classroom_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
_MIGRATION_LOCK = 0x436C617373526F6F  # pg_advisory_xact_lock key of migrate()


class ClassUnavailable(RuntimeError):
    """The class database cannot be used now (unreachable, locked, timed out, misconfigured)."""


class UnknownClass(LookupError):
    """No class has this code (never made, ended, or expired after INACTIVE_AFTER without activity)."""


class NotLecturer(PermissionError):
    """The secret is not this class's lecturer's."""


class AnswerRejected(ValueError):
    """An answer that cannot count: not a choice of the question, an unknown member, or a round not open."""


@dataclass(frozen=True)
class RoundState:
    """One round of a question: its state, how many answered, and the count of each choice."""

    question_id: str
    round: int
    state: str
    answered: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class ClassState:
    """What a session polls: the lecturer's view, a version that changes only when the view or a question's state
    does, how many members are present, the current round of the current question and this member's choice."""

    code: str
    view: View | None
    version: int
    present: int
    question: RoundState | None
    my_choice: int | None


# The tables as queries see them (the schema itself is made by MIGRATIONS).
_md = sa.MetaData()
schema_versions = sa.Table(
    "schema_version", _md,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied", sa.Double, nullable=False),
)
classes = sa.Table(
    "classes", _md,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("lecturer_hash", sa.String(64), nullable=False),
    sa.Column("created", sa.Double, nullable=False),
    sa.Column("last_active", sa.Double, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("view_json", sa.Text),
    sa.Column("current_question", sa.String(64)),
)
members = sa.Table(
    "members", _md,
    sa.Column("code", sa.String(6), sa.ForeignKey("classes.code", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.String(64), primary_key=True),
    sa.Column("joined", sa.Double, nullable=False),
    sa.Column("last_seen", sa.Double, nullable=False),
)
rounds = sa.Table(
    "rounds", _md,
    sa.Column("code", sa.String(6), sa.ForeignKey("classes.code", ondelete="CASCADE"), primary_key=True),
    sa.Column("question_id", sa.String(64), primary_key=True),
    sa.Column("round", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(8), nullable=False),
    sa.Column("n_choices", sa.Integer, nullable=False),
)
answers = sa.Table(
    "answers", _md,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("question_id", sa.String(64), primary_key=True),
    sa.Column("round", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.String(64), primary_key=True),
    sa.Column("choice", sa.Integer, nullable=False),
    sa.Column("answered", sa.Double, nullable=False),
)

# Migrations, oldest first: schema version k is reached by running MIGRATIONS[k - 1]. Each is frozen DDL that
# works on SQLite and PostgreSQL alike; a change to the schema is a new entry, never an edit of an old one.
_V1 = (
    """CREATE TABLE classes (
        code VARCHAR(6) PRIMARY KEY,
        lecturer_hash VARCHAR(64) NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        last_active DOUBLE PRECISION NOT NULL,
        version INTEGER NOT NULL,
        view_json TEXT,
        current_question VARCHAR(64))""",
    "CREATE INDEX ix_classes_last_active ON classes (last_active)",
    """CREATE TABLE members (
        code VARCHAR(6) NOT NULL REFERENCES classes (code) ON DELETE CASCADE,
        member_id VARCHAR(64) NOT NULL,
        joined DOUBLE PRECISION NOT NULL,
        last_seen DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (code, member_id))""",
    """CREATE TABLE rounds (
        code VARCHAR(6) NOT NULL REFERENCES classes (code) ON DELETE CASCADE,
        question_id VARCHAR(64) NOT NULL,
        round INTEGER NOT NULL CHECK (round >= 1),
        state VARCHAR(8) NOT NULL CHECK (state IN ('open', 'closed', 'revealed')),
        n_choices INTEGER NOT NULL CHECK (n_choices >= 1),
        PRIMARY KEY (code, question_id, round))""",
    """CREATE TABLE answers (
        code VARCHAR(6) NOT NULL,
        question_id VARCHAR(64) NOT NULL,
        round INTEGER NOT NULL,
        member_id VARCHAR(64) NOT NULL,
        choice INTEGER NOT NULL CHECK (choice >= 0),
        answered DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (code, question_id, round, member_id),
        FOREIGN KEY (code, question_id, round) REFERENCES rounds (code, question_id, round) ON DELETE CASCADE,
        FOREIGN KEY (code, member_id) REFERENCES members (code, member_id) ON DELETE CASCADE)""",
)
MIGRATIONS: Sequence[Sequence[str]] = (_V1,)


# The statements a student's poll runs, built once.
_earlier = rounds.alias("earlier")
_latest_of_current = (
    sa.select(sa.func.max(_earlier.c.round))
    .where(_earlier.c.code == classes.c.code, _earlier.c.question_id == classes.c.current_question)
    .correlate(classes)
    .scalar_subquery()
)
_present = (
    sa.select(sa.func.count())
    .select_from(members)
    .where(members.c.code == classes.c.code, members.c.last_seen >= sa.bindparam("since"))
    .correlate(classes)
    .scalar_subquery()
)
_STATE = (
    sa.select(classes.c.version, classes.c.view_json, classes.c.current_question, classes.c.last_active,
              _present.label("present"), rounds.c.round, rounds.c.state, rounds.c.n_choices)
    .select_from(classes.outerjoin(rounds, sa.and_(rounds.c.code == classes.c.code,
                                                  rounds.c.question_id == classes.c.current_question,
                                                  rounds.c.round == _latest_of_current)))
    .where(classes.c.code == sa.bindparam("code"))
)
_COUNTS = (
    sa.select(answers.c.choice, sa.func.count().label("n"),
              sa.func.max(sa.case((answers.c.member_id == sa.bindparam("member"), 1), else_=0)).label("mine"))
    .where(answers.c.code == sa.bindparam("code"), answers.c.question_id == sa.bindparam("question"),
           answers.c.round == sa.bindparam("round"))
    .group_by(answers.c.choice)
)
_CLASS = sa.select(classes).where(classes.c.code == sa.bindparam("code"))
_TOUCH = (  # refresh last_active, at most every TOUCH_EVERY seconds, never backwards, never reviving an expired class
    sa.update(classes)
    .where(classes.c.code == sa.bindparam("b_code"), classes.c.last_active < sa.bindparam("b_stale"),
           classes.c.last_active >= sa.bindparam("b_alive"))
    .values(last_active=sa.bindparam("b_now"))
)


class _Expired(Exception):
    """Internal: the class exists but expired; `_tx` deletes it and raises UnknownClass."""

    def __init__(self, code: str, now: float) -> None:
        super().__init__(code)
        self.code, self.now = code, now


def _describe(error: BaseException) -> str:
    """A short, log-friendly message for a database error (the driver's first line, never a traceback)."""
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    detail = lines[0][:200] if lines else ""
    return f"the class database is unavailable ({type(orig).__name__}{': ' + detail if detail else ''})"


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Every new SQLite connection: WAL (readers never block the writer), foreign keys, and SQLAlchemy's own
    BEGIN (see `_on_sqlite_begin`) instead of the sqlite3 module's implicit one. The busy timeout is the driver's
    ``timeout`` argument (sqlite3_busy_timeout; `engine_for` sets it, pysqlite's default is 5 s)."""
    if hasattr(dbapi_connection, "isolation_level"):
        dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        _set_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across crashes of the app, fast commits
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _set_wal(cursor: Any) -> None:
    """Switch the file to WAL (once: the mode is kept in the file). The first switch needs an exclusive lock, and
    SQLite answers "database is locked" at once, without waiting, when processes opening a new file race for it
    (a lock upgrade that could deadlock): retry for as long as the busy timeout."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + cursor.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _on_sqlite_begin(conn: Connection) -> None:
    """Start the transaction: BEGIN IMMEDIATE for one that writes (takes the write lock up front, waiting on the
    busy timeout), plain BEGIN for a read."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def configure_sqlite(engine: Engine) -> None:
    """Give a SQLite engine (made anywhere, e.g. by st.connection) the listeners above, once. Connections pooled
    before lack them, so the pool is replaced (connections checked out now are dropped when returned)."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _on_sqlite_connect):
        return
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    engine.dispose()


def engine_for(url: str, *, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    """An engine for the class database at `url`: SQLite with WAL and a busy timeout, PostgreSQL with a
    pre-ping, a 3 s connect timeout and a lock timeout. A URL that cannot make an engine raises ClassUnavailable."""
    try:
        u = sa.make_url(url)
        if u.get_backend_name() == "sqlite":
            engine = sa.create_engine(u, connect_args={"timeout": busy_timeout})
        elif u.get_backend_name() == "postgresql":
            given = u.query.get("options")
            options = [given] if isinstance(given, str) else list(given or ())
            options.append(f"-c lock_timeout={round(busy_timeout * 1000)} -c statement_timeout=15000")
            engine = sa.create_engine(u, pool_pre_ping=True,
                                      connect_args={"connect_timeout": 3, "options": " ".join(options)})
        else:
            engine = sa.create_engine(u)
    except (exc.SQLAlchemyError, ImportError, ValueError) as e:
        raise ClassUnavailable(f"no class database at this URL ({type(e).__name__}: {str(e)[:200]})") from e
    configure_sqlite(engine)
    return engine


def default_url() -> str:
    """EXPLORER_DATABASE_URL if set, else a SQLite file in the user cache folder (the folder is made)."""
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        return url
    path = cache_dir().parent / "classroom.sqlite3"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # connecting will fail, and say so as ClassUnavailable
    return f"sqlite:///{path}"


def _code(code: object) -> str:
    normal = classroom.normalise_code(code)
    if normal is None:
        raise UnknownClass(f"{code!r} is not a class code")
    return normal


def _check_question(question_id: object, n_choices: object = 2) -> None:
    if not valid_id(question_id):
        raise ValueError(f"{question_id!r} is not a question id")
    if type(n_choices) is not int or not 1 <= n_choices <= MAX_CHOICES:
        raise ValueError(f"n_choices must be an int from 1 to {MAX_CHOICES}, not {n_choices!r}")


class ClassStore:
    """The classes, members, questions and answers of live classes, in the database behind `engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dialect = engine.dialect.name
        if self._dialect not in ("sqlite", "postgresql"):
            raise ClassUnavailable(f"the class database must be SQLite or PostgreSQL, not {self._dialect}")
        configure_sqlite(engine)
        self._insert = sqlite.insert if self._dialect == "sqlite" else pg.insert
        self.room_every = ROOM_EVERY
        self._room_lock = threading.Lock()
        # code → (when read, monotonic; the state, or the error's type and message)
        self._room: dict[str, tuple[float, ClassState | tuple[type[Exception], str]]] = {}

    # -- plumbing

    @contextmanager
    def _tx(self, write: bool) -> Iterator[Connection]:
        """One transaction; any database error becomes ClassUnavailable; an expired class is deleted (in a
        transaction of its own) and reported as UnknownClass."""
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(**{_WRITE: True})
                try:
                    with conn.begin():
                        yield conn
                except _Expired as gone:
                    conn.execution_options(**{_WRITE: True})
                    with conn.begin():
                        self._delete(conn, self._expired_codes(conn, gone.now, gone.code))
                    raise UnknownClass(f"class {gone.code} expired after {INACTIVE_AFTER / 3600:g} h") from None
        except exc.SQLAlchemyError as e:
            raise ClassUnavailable(_describe(e)) from e

    def _live(self, conn: Connection, code: str, now: float | None, lock: bool = False) -> Any:
        """The class's row (locked for update on PostgreSQL if `lock`); UnknownClass or _Expired otherwise."""
        stmt = _CLASS.with_for_update() if lock else _CLASS
        row = conn.execute(stmt, {"code": code}).first()
        if row is None:
            raise UnknownClass(f"no class {code}")
        if now is not None and row.last_active < now - INACTIVE_AFTER:
            raise _Expired(code, now)
        return row

    def _lecturer(self, conn: Connection, code: str, secret: object, now: float | None) -> Any:
        row = self._live(conn, code, now, lock=True)
        if not (isinstance(secret, str) and hmac.compare_digest(row.lecturer_hash, secret_hash(secret))):
            raise NotLecturer(f"not the lecturer of class {code}")
        return row

    def _changed(self, conn: Connection, code: str, now: float, bump: bool, **values: Any) -> None:
        """A lecturer's change: set values, refresh last_active (never backwards) and bump the version if `bump`."""
        conn.execute(
            sa.update(classes).where(classes.c.code == code).values(
                last_active=sa.case((classes.c.last_active < now, now), else_=classes.c.last_active),
                version=classes.c.version + (1 if bump else 0), **values))

    def _touch(self, conn: Connection, code: str, now: float) -> None:
        conn.execute(_TOUCH, {"b_code": code, "b_now": now, "b_stale": now - TOUCH_EVERY, "b_alive": now - INACTIVE_AFTER})

    def _upsert_member(self, conn: Connection, code: str, member_id: str, now: float) -> None:
        stmt = self._insert(members).values(code=code, member_id=member_id, joined=now, last_seen=now)
        conn.execute(stmt.on_conflict_do_update(index_elements=["code", "member_id"],
                                                set_={"last_seen": stmt.excluded.last_seen}))

    @staticmethod
    def _latest(conn: Connection, code: str, question_id: str, lock: bool = False) -> Any:
        """The newest round of the question (None if never asked); on PostgreSQL held FOR SHARE if `lock`."""
        stmt = (sa.select(rounds).where(rounds.c.code == code, rounds.c.question_id == question_id)
                .order_by(rounds.c.round.desc()).limit(1))
        return conn.execute(stmt.with_for_update(read=True) if lock else stmt).first()

    @staticmethod
    def _expired_codes(conn: Connection, now: float, code: str | None = None) -> list[str]:
        stmt = sa.select(classes.c.code).where(classes.c.last_active < now - INACTIVE_AFTER)
        if code is not None:
            stmt = stmt.where(classes.c.code == code)
        return list(conn.scalars(stmt.with_for_update(skip_locked=True)))

    @staticmethod
    def _delete(conn: Connection, codes: list[str]) -> int:
        """Delete these classes and all they own, children first (foreign keys may be off on a foreign engine)."""
        if not codes:
            return 0
        for table in (answers, rounds, members):
            conn.execute(sa.delete(table).where(table.c.code.in_(codes)))
        return conn.execute(sa.delete(classes).where(classes.c.code.in_(codes))).rowcount

    # -- schema

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest version; idempotent, and safe when several processes call
        it at once (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE)."""
        with self._tx(write=True) as conn:
            if self._dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS schema_version "
                                 "(version INTEGER PRIMARY KEY, applied DOUBLE PRECISION NOT NULL)")
            current = conn.scalar(sa.select(sa.func.max(schema_versions.c.version))) or 0
            if current > len(MIGRATIONS):
                raise ClassUnavailable(f"the class database has schema version {current}; this app knows "
                                       f"{len(MIGRATIONS)} (a newer app made it)")
            for version in range(current + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1]:
                    conn.exec_driver_sql(statement)
                conn.execute(sa.insert(schema_versions).values(version=version, applied=time.time()))

    def schema_version(self) -> int:
        """The database's schema version (0 before the first migration)."""
        with self._tx(write=False) as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                return 0
            return conn.scalar(sa.select(sa.func.max(schema_versions.c.version))) or 0

    # -- the lecturer

    def create(self, now: float) -> tuple[str, str]:
        """A new class: its code (for students) and the lecturer's secret (only its hash is kept). Expired
        classes are purged first."""
        secret = classroom.new_secret()
        for _ in range(CODE_ATTEMPTS):
            code = classroom.new_code()
            try:
                with self._tx(write=True) as conn:
                    self._delete(conn, self._expired_codes(conn, now))
                    conn.execute(sa.insert(classes).values(code=code, lecturer_hash=secret_hash(secret), created=now,
                                                           last_active=now, version=0))
                return code, secret
            except ClassUnavailable as e:
                if not isinstance(e.__cause__, exc.IntegrityError):
                    raise
        raise ClassUnavailable(f"no free class code in {CODE_ATTEMPTS} attempts")

    def is_lecturer(self, code: str, secret: str) -> bool:
        """Whether `secret` is the lecturer's of class `code` (False for an unknown code)."""
        normal = classroom.normalise_code(code)
        if normal is None or not isinstance(secret, str):
            return False
        with self._tx(write=False) as conn:
            stored = conn.scalar(sa.select(classes.c.lecturer_hash).where(classes.c.code == normal))
        return stored is not None and hmac.compare_digest(stored, secret_hash(secret))

    def publish(self, code: str, secret: str, view: View, now: float) -> None:
        """Show `view` to the class. The version changes only if the view does (publishing on every rerun of
        the lecturer's page is fine)."""
        if not isinstance(view, View):
            raise TypeError(f"view must be a View, not {type(view).__name__}")
        code, text = _code(code), view.to_json()
        with self._tx(write=True) as conn:
            row = self._lecturer(conn, code, secret, now)
            self._changed(conn, code, now, bump=row.view_json != text, view_json=text)
        self._forget(code)

    def ask(self, code: str, secret: str, question_id: str, n_choices: int, now: float) -> int:
        """Make the question the class's current one; open its round 1 if it has none, else leave its newest
        round as it is. Returns that round's number."""
        code = _code(code)
        _check_question(question_id, n_choices)
        with self._tx(write=True) as conn:
            row = self._lecturer(conn, code, secret, now)
            latest = self._latest(conn, code, question_id)
            if latest is None:
                conn.execute(sa.insert(rounds).values(code=code, question_id=question_id, round=1, state=OPEN,
                                                      n_choices=n_choices))
            bump = latest is None or row.current_question != question_id
            self._changed(conn, code, now, bump=bump, current_question=question_id)
        self._forget(code)
        return 1 if latest is None else latest.round

    def again(self, code: str, secret: str, question_id: str, n_choices: int, now: float) -> int:
        """Ask the question again: a new open round (the newest one is closed if still open; all are kept), and
        the question becomes the current one. Returns the new round's number."""
        code = _code(code)
        _check_question(question_id, n_choices)
        with self._tx(write=True) as conn:
            self._lecturer(conn, code, secret, now)
            latest = self._latest(conn, code, question_id)
            number = 1 if latest is None else latest.round + 1
            if latest is not None and latest.state == OPEN:
                self._set_state(conn, code, question_id, latest.round, CLOSED)
            conn.execute(sa.insert(rounds).values(code=code, question_id=question_id, round=number, state=OPEN,
                                                  n_choices=n_choices))
            self._changed(conn, code, now, bump=True, current_question=question_id)
        self._forget(code)
        return number

    def close(self, code: str, secret: str, question_id: str, now: float) -> None:
        """Stop taking answers in the question's newest round (a closed or revealed round stays as it is)."""
        self._advance(code, secret, question_id, now, {OPEN}, CLOSED)

    def reveal(self, code: str, secret: str, question_id: str, now: float) -> None:
        """Reveal the question's newest round (from open or closed): the histogram and the right answer."""
        self._advance(code, secret, question_id, now, {OPEN, CLOSED}, REVEALED)

    def _advance(self, code: str, secret: str, question_id: str, now: float, sources: set[str], target: str) -> None:
        code = _code(code)
        _check_question(question_id)
        with self._tx(write=True) as conn:
            self._lecturer(conn, code, secret, now)
            latest = self._latest(conn, code, question_id)
            if latest is None:
                raise ValueError(f"question {question_id!r} was not asked in class {code}")
            bump = latest.state in sources
            if bump:
                self._set_state(conn, code, question_id, latest.round, target)
            self._changed(conn, code, now, bump=bump)
        self._forget(code)

    @staticmethod
    def _set_state(conn: Connection, code: str, question_id: str, number: int, state: str) -> None:
        conn.execute(sa.update(rounds).where(rounds.c.code == code, rounds.c.question_id == question_id,
                                             rounds.c.round == number).values(state=state))

    def end(self, code: str, secret: str) -> None:
        """End the class: delete it, its members, rounds and answers."""
        code = _code(code)
        with self._tx(write=True) as conn:
            self._lecturer(conn, code, secret, None)
            self._delete(conn, [code])
        self._forget(code)

    def purge(self, now: float) -> int:
        """Delete the classes inactive for INACTIVE_AFTER seconds (with all they own); how many."""
        with self._tx(write=True) as conn:
            return self._delete(conn, self._expired_codes(conn, now))

    # -- students

    def join(self, code: str, member_id: str, now: float) -> None:
        """Add a member (an anonymous id from `core.classroom.new_member_id`) to the class; joining twice is
        harmless. Expired classes are purged first."""
        code = _code(code)
        if not valid_id(member_id):
            raise ValueError(f"{member_id!r} is not a member id")
        with self._tx(write=True) as conn:
            self._touch(conn, code, now)
            self._live(conn, code, now)  # before the purge: raising here would undo it
            self._delete(conn, self._expired_codes(conn, now))
            self._upsert_member(conn, code, member_id, now)
        self._forget(code)

    def seen(self, code: str, member_id: str, now: float) -> None:
        """A member's heartbeat: counts it as present for PRESENT_WITHIN seconds (joins it if it had not)."""
        code = _code(code)
        if not valid_id(member_id):
            raise ValueError(f"{member_id!r} is not a member id")
        with self._tx(write=True) as conn:
            self._touch(conn, code, now)
            self._live(conn, code, now)
            self._upsert_member(conn, code, member_id, now)
        self._forget(code)

    def answer(self, code: str, member_id: str, question_id: str, choice: int, now: float) -> int:
        """The member's answer to the question's newest round: one per member per round, replaced by a later one
        while the round is open; returns the round's number. AnswerRejected for anything else."""
        code = _code(code)
        if isinstance(choice, bool) or not isinstance(choice, numbers.Integral):
            raise AnswerRejected(f"a choice is an int, not {choice!r}")
        if not valid_id(member_id):
            raise AnswerRejected(f"{member_id!r} is not a member id")
        if not valid_id(question_id):
            raise AnswerRejected(f"{question_id!r} is not a question id")
        with self._tx(write=True) as conn:
            self._touch(conn, code, now)  # first: the class row is the first lock taken by anyone (no deadlock)
            self._live(conn, code, now)
            known = conn.scalar(sa.select(members.c.member_id).where(members.c.code == code,
                                                                     members.c.member_id == member_id))
            if known is None:
                raise AnswerRejected(f"{member_id!r} has not joined class {code}")
            latest = self._latest(conn, code, question_id, lock=True)
            if latest is None or latest.state != OPEN:
                raise AnswerRejected(f"question {question_id!r} is not open for answers")
            if not 0 <= choice < latest.n_choices:
                raise AnswerRejected(f"choice {choice} is not in range({latest.n_choices})")
            stmt = self._insert(answers).values(code=code, question_id=question_id, round=latest.round,
                                                member_id=member_id, choice=int(choice), answered=now)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["code", "question_id", "round", "member_id"],
                set_={"choice": stmt.excluded.choice, "answered": stmt.excluded.answered}))
            conn.execute(sa.update(members).where(members.c.code == code, members.c.member_id == member_id)
                         .values(last_seen=now))
            number = latest.round
        self._forget(code)
        return number

    # -- reading

    def state(self, code: str, now: float, member_id: str | None = None) -> ClassState:
        """What a session shows now (two small queries); `my_choice` is `member_id`'s answer in the round."""
        code = _code(code)
        with self._tx(write=False) as conn:
            row = conn.execute(_STATE, {"code": code, "since": now - PRESENT_WITHIN}).first()
            if row is None:
                raise UnknownClass(f"no class {code}")
            if row.last_active < now - INACTIVE_AFTER:
                raise _Expired(code, now)
            question, mine = None, None
            if row.round is not None:
                params = {"code": code, "question": row.current_question, "round": row.round,
                          "member": member_id if isinstance(member_id, str) else ""}
                counts = [0] * row.n_choices
                for choice, n, is_mine in conn.execute(_COUNTS, params):
                    if 0 <= choice < row.n_choices:
                        counts[choice] = n
                        mine = choice if is_mine else mine
                question = RoundState(row.current_question, row.round, row.state, sum(counts), tuple(counts))
        try:
            view = None if row.view_json is None else View.from_json(row.view_json)
        except ValueError:
            view = None  # not written by this app: show nothing rather than fail every student's page
        return ClassState(code, view, row.version, row.present, question, mine)

    def room_state(self, code: str, now: float) -> ClassState:
        """`state(code, now)` without a member (`my_choice` None), as this process read it at most `room_every`
        seconds ago: N sessions of one room polling each second cost one query every `room_every` s. A change made
        through this store (any write) is seen at once; one made in another process within `room_every` s. Errors
        are shared the same way (an unreachable database is tried once per `room_every` s, not once per student)."""
        code = _code(code)
        with self._room_lock:  # one reader at a time: the others wait for its answer instead of asking too
            t = time.monotonic()
            read = self._room.get(code)
            if read is None or t - read[0] >= self.room_every:
                try:
                    result: ClassState | tuple[type[Exception], str] = self.state(code, now)
                except (ClassUnavailable, UnknownClass) as e:
                    result = (type(e), str(e))
                for old in [c for c, (when, _) in self._room.items() if t - when > 60.0]:
                    del self._room[old]  # classes nobody here polls any more
                read = self._room[code] = (t, result)
        if isinstance(read[1], ClassState):
            return read[1]
        kind, message = read[1]
        raise kind(message)

    def _forget(self, code: str) -> None:
        """The class changed through this store: the next `room_state` reads it again."""
        with self._room_lock:
            self._room.pop(code, None)

    def rounds(self, code: str, question_id: str) -> list[RoundState]:
        """Every round of the question in the class, oldest first (side by side after asking again)."""
        code = _code(code)
        with self._tx(write=False) as conn:
            self._live(conn, code, None)
            found = conn.execute(sa.select(rounds).where(rounds.c.code == code, rounds.c.question_id == question_id)
                                 .order_by(rounds.c.round)).all()
            tally = conn.execute(
                sa.select(answers.c.round, answers.c.choice, sa.func.count())
                .where(answers.c.code == code, answers.c.question_id == question_id)
                .group_by(answers.c.round, answers.c.choice)).all()
        result = []
        for r in found:
            counts = [0] * r.n_choices
            for number, choice, n in tally:
                if number == r.round and 0 <= choice < r.n_choices:
                    counts[choice] = n
            result.append(RoundState(question_id, r.round, r.state, sum(counts), tuple(counts)))
        return result

