"""The live class as plain data: class codes, lecturer secrets, member ids, the lecturer's view, a rate limiter
and the histogram of a round's answers. No I/O here: `ui.class_store` keeps classes in a database.

A class is known by a short code students type or scan (a QR code); the lecturer proves who they are with a
secret only they hold (the database keeps its hash); a student is an anonymous random member id. All three come
from `secrets`. A question is asked in rounds: a round is open (answers accepted and changeable), then closed
(no more answers), then revealed (the histogram against the right answer is shown); asking again opens a new
round and keeps the earlier ones.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import numbers
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: nothing to misread on a projector
CODE_LENGTH = 6
INACTIVE_AFTER = 12 * 3600.0  # seconds without activity after which a class and its answers are deleted
PRESENT_WITHIN = 30.0  # seconds: a member seen this recently counts as present

# The states of a round of a question.
OPEN = "open"
CLOSED = "closed"
REVEALED = "revealed"
ROUND_STATES = (OPEN, CLOSED, REVEALED)

MAX_VIEW_BYTES = 4096  # a view's JSON, UTF-8
MAX_PAGE_CHARS = 200
MAX_VALUES = 64
MAX_ID_CHARS = 64  # member ids and question ids
_ID = re.compile(r"[A-Za-z0-9_.:-]+")


def new_code() -> str:
    """A random class code: CODE_LENGTH letters of CODE_ALPHABET (31⁶ ≈ 8.9·10⁸ codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str | None:
    """The class code a person typed (" abc-def " → "ABCDEF"), or None if it cannot be one."""
    if not isinstance(text, str):
        return None
    code = text.strip().upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def new_secret() -> str:
    """A lecturer's secret (144 random bits, URL-safe)."""
    return secrets.token_urlsafe(18)


def secret_hash(secret: str) -> str:
    """What the database keeps instead of the secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_member_id() -> str:
    """An anonymous student's id (96 random bits, URL-safe); it says nothing about the person."""
    return secrets.token_urlsafe(12)


def valid_id(value: object) -> bool:
    """Whether value can be a member id or a question id: 1–64 characters of letters, digits and ``_.:-``."""
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS and _ID.fullmatch(value) is not None


Value = None | bool | int | float | str | list  # a control's value as JSON: a scalar, or a list of scalars


def _valid_value(value: object) -> bool:
    scalar = (type(value) in (bool, int, str) or value is None
              or (type(value) is float and math.isfinite(value)))  # fmt: skip
    return scalar or (type(value) is list and all(_valid_value(v) and type(v) is not list for v in value))


@dataclass(frozen=True)
class View:
    """What the lecturer shows: a page (its path), the value of each of its controls (by widget key, as JSON
    data: what a shared link carries), and the number of the lecture's stop, if the lecturer is on one.
    Invalid values raise ValueError."""

    page: str
    values: dict[str, Value]
    stop: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.page, str) or not 0 < len(self.page) <= MAX_PAGE_CHARS:
            raise ValueError(f"a view's page must be a string of 1 to {MAX_PAGE_CHARS} characters")
        if not isinstance(self.values, dict) or len(self.values) > MAX_VALUES:
            raise ValueError(f"a view's values must be a dict of at most {MAX_VALUES} items")
        if not all(valid_id(k) and _valid_value(v) for k, v in self.values.items()):
            raise ValueError("a view's values must map control keys to JSON scalars or lists of them")
        if self.stop is not None and (type(self.stop) is not int or self.stop < 0):
            raise ValueError("a view's stop must be None or a non-negative int")
        object.__setattr__(self, "values", copy.deepcopy(self.values))  # the caller's dict may change later
        if len(self.to_json().encode("utf-8")) > MAX_VIEW_BYTES:
            raise ValueError(f"a view must fit in {MAX_VIEW_BYTES} bytes of JSON")

    def to_json(self) -> str:
        """The view as compact JSON with sorted keys: equal views give equal text."""
        data = {"page": self.page, "values": self.values, "stop": self.stop}
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: object) -> View:
        """The view `to_json` wrote; anything else (malformed, oversized, hostile) raises ValueError."""
        if not isinstance(text, str) or len(text.encode("utf-8", "replace")) > MAX_VIEW_BYTES:
            raise ValueError(f"a stored view must be a string of at most {MAX_VIEW_BYTES} bytes")
        try:
            data: Any = json.loads(text, parse_constant=_no_constant)
        except (RecursionError, json.JSONDecodeError) as e:  # JSONDecodeError is a ValueError; others are not
            raise ValueError(f"a stored view is not valid JSON: {type(e).__name__}") from None
        if not isinstance(data, dict) or set(data) != {"page", "values", "stop"}:
            raise ValueError("a stored view must be an object with exactly page, values and stop")
        return cls(data["page"], data["values"], data["stop"])


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in a view")


class Turns:
    """Places for at most `n` holders at once; the others wait, in about the order they came, at most `wait`
    seconds each (then they go ahead without a place: a stuck holder never stops the rest)."""

    def __init__(self, n: int, wait: float) -> None:
        if type(n) is not int or n < 1:
            raise ValueError("n must be an int ≥ 1")
        if not (isinstance(wait, int | float) and math.isfinite(wait) and wait >= 0):
            raise ValueError("wait must be a finite number ≥ 0")
        self.wait = float(wait)
        self._places = threading.Semaphore(n)

    @contextmanager
    def turn(self) -> Iterator[bool]:
        """Hold a place for the block; yields whether one was had within `wait` seconds."""
        got = self._places.acquire(timeout=self.wait)
        try:
            yield got
        finally:
            if got:
                self._places.release()


class RateLimiter:
    """A token bucket: up to `capacity` events at once, refilled at `per_second` events a second.

    Plain data (two floats), so a session can keep one in its state; the caller passes the clock."""

    def __init__(self, capacity: int, per_second: float) -> None:
        if type(capacity) is not int or capacity < 1:
            raise ValueError("capacity must be an int ≥ 1")
        if not (isinstance(per_second, int | float) and math.isfinite(per_second) and per_second > 0):
            raise ValueError("per_second must be a finite number > 0")
        self.capacity = capacity
        self.per_second = float(per_second)
        self.tokens = float(capacity)
        self.last: float | None = None

    def allow(self, now: float) -> bool:
        """Whether an event at time `now` (seconds) is allowed; if so it uses a token. A clock that goes back
        refills nothing."""
        if self.last is not None:
            self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.last) * self.per_second)
        self.last = now if self.last is None else max(self.last, now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def histogram(choices: Iterable[int], n_choices: int) -> list[int]:
    """How many answers chose each of the n_choices choices (indices 0 … n_choices − 1)."""
    if type(n_choices) is not int or n_choices < 1:
        raise ValueError("n_choices must be an int ≥ 1")
    counts = [0] * n_choices
    for choice in choices:
        if isinstance(choice, bool) or not isinstance(choice, numbers.Integral) or not 0 <= choice < n_choices:
            raise ValueError(f"{choice!r} is not a choice in range({n_choices})")
        counts[int(choice)] += 1
    return counts
