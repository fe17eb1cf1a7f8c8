"""core.classroom: class codes, secrets, member ids, the lecturer's view as JSON, the rate limiter, histograms."""

from __future__ import annotations

import json
import math
import threading
import time

import pytest

from core import classroom
from core.classroom import (
    CLOSED,
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_VIEW_BYTES,
    OPEN,
    REVEALED,
    RateLimiter,
    Turns,
    View,
    histogram,
    new_code,
    new_member_id,
    new_secret,
    normalise_code,
    secret_hash,
)


def test_the_alphabet_has_nothing_to_misread() -> None:
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 31
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert CODE_LENGTH == 6
    assert (classroom.INACTIVE_AFTER, classroom.PRESENT_WITHIN) == (12 * 3600.0, 30.0)
    assert (OPEN, CLOSED, REVEALED) == ("open", "closed", "revealed")


def test_codes_are_random_letters_of_the_alphabet() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) > 1990  # 31⁶ codes: a collision among 2000 is unlikely (p ≈ 0.2 %), ten is impossible
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert set("".join(codes)) == set(CODE_ALPHABET)  # every letter is used


def test_codes_come_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classroom.secrets, "choice", lambda seq: seq[-1])
    assert new_code() == CODE_ALPHABET[-1] * CODE_LENGTH


@pytest.mark.parametrize("typed, code", [
    ("ABCDEF", "ABCDEF"), (" abc-def ", "ABCDEF"), ("abc def", "ABCDEF"), ("a-b-c-d-e-f", "ABCDEF"),
    ("\tXYZ234\n", "XYZ234"), ("hjk-mn9", "HJKMN9"),
])
def test_normalise_accepts_what_people_type(typed: str, code: str) -> None:
    assert normalise_code(typed) == code


@pytest.mark.parametrize("typed", [
    "ABCDE0", "ABCDEO", "ABCDE1", "ABCDEI", "ABCDEL", "abcdel",  # ambiguous letters are never in a code
    "ABCDE", "", "   ", "-", "ABCDEFG", "ABC_DEF", "ABC.DE", "ÄBCDEF", "ＡＢＣＤＥＦ",  # short, long, foreign
    None, 123456, b"ABCDEF", ["ABCDEF"], 12.5,
])
def test_normalise_rejects_everything_else(typed: object) -> None:
    assert normalise_code(typed) is None


def test_secrets_and_member_ids_are_long_random_and_url_safe() -> None:
    secrets_, members = {new_secret() for _ in range(200)}, {new_member_id() for _ in range(200)}
    assert len(secrets_) == len(members) == 200
    assert all(len(s) == 24 for s in secrets_) and all(len(m) == 16 for m in members)
    url_safe = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert all(set(s) <= url_safe for s in secrets_ | members)
    assert all(classroom.valid_id(m) for m in members)


def test_secret_hash_is_sha256_hex() -> None:
    assert secret_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert secret_hash("abc") != secret_hash("abd")
    assert len(secret_hash(new_secret())) == 64


@pytest.mark.parametrize("value, ok", [
    ("q1", True), ("union_rain_sun", True), ("a.b:c-d", True), ("x" * 64, True),
    ("", False), ("x" * 65, False), ("a b", False), ("a/b", False), ("é", False), (None, False), (7, False),
])
def test_valid_id(value: object, ok: bool) -> None:
    assert classroom.valid_id(value) is ok


def test_a_view_round_trips_through_json() -> None:
    values = {"softmax_T": 1.5, "softmax_n": 3, "cond_a": "Rain ☃", "rules_a": ["Shirt", "Bag"], "train_fast": True,
              "cls_src": None}  # fmt: skip
    view = View("app_pages/softmax.py", values, 12)
    text = view.to_json()
    assert View.from_json(text) == view
    assert json.loads(text) == {"page": "app_pages/softmax.py", "values": values, "stop": 12}
    assert View("p", {}, None) == View.from_json(View("p", {}).to_json())
    assert View("p", {"b": 1, "a": 2}).to_json() == View("p", {"a": 2, "b": 1}).to_json()  # canonical


def test_a_view_keeps_its_own_copy_of_the_values() -> None:
    values = {"a": 1, "b": ["x"]}
    view = View("p", values)
    values["a"] = 2
    values["b"].append("y")
    assert view.values == {"a": 1, "b": ["x"]}


@pytest.mark.parametrize("page, values, stop", [
    ("", {}, None), ("x" * 201, {}, None), (None, {}, None), (3, {}, None),
    ("p", None, None), ("p", [("a", "1")], None), ("p", {1: "a"}, None), ("p", {"": "a"}, None),
    ("p", {"a b": 1}, None), ("p", {"<script>": 1}, None), ("p", {"a": float("nan")}, None),
    ("p", {"a": float("inf")}, None), ("p", {"a": [[1]]}, None), ("p", {"a": {"b": 1}}, None), ("p", {"a": (1, 2)}, None),
    ("p", {"a": b"x"}, None), ("p", {f"k{i}": "v" for i in range(65)}, None), ("p", {"a": "x" * 5000}, None),
    ("p", {}, -1), ("p", {}, True), ("p", {}, 1.0), ("p", {}, "3"),
])  # fmt: skip
def test_invalid_views_raise_value_error(page: object, values: object, stop: object) -> None:
    with pytest.raises(ValueError):
        View(page, values, stop)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [
    "", "null", "[]", "3", '"view"', "{", "{'page': 'p'}", '{"page": "p", "values": {}}',
    '{"page": "p", "values": {}, "stop": null, "extra": 1}', '{"page": "p", "values": {"a": {"b": 1}}, "stop": null}',
    '{"page": "p", "values": {"a": NaN}, "stop": null}', '{"page": "p", "values": {}, "stop": Infinity}',
    '{"page": "p", "values": {}, "stop": 1.5}', '{"page": "p", "values": [], "stop": null}',
    '{"page": "", "values": {}, "stop": null}', '{"page": {"$ne": 1}, "values": {}, "stop": null}',
    '{"page": "p", "query": {}, "stop": null}',  # the wrong field
    "[" * 2000 + "]" * 2000,  # deep nesting (4 kB): RecursionError inside json, reported as ValueError
    '{"page": "p", "values": {"a": "' + "x" * MAX_VIEW_BYTES + '"}, "stop": null}',  # oversized
    None, b'{"page": "p", "values": {}, "stop": null}', 42,
])
def test_malformed_stored_views_raise_value_error(text: object) -> None:
    with pytest.raises(ValueError):
        View.from_json(text)


def test_a_view_must_fit_in_4_kb() -> None:
    View("p", {"a": "x" * (MAX_VIEW_BYTES - 100)})
    with pytest.raises(ValueError, match="4096 bytes"):
        View("p", {"a": "☃" * (MAX_VIEW_BYTES // 3)})  # counted in UTF-8 bytes, not characters


def test_rate_limiter_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(3, per_second=2.0)
    assert [limiter.allow(100.0) for _ in range(4)] == [True, True, True, False]
    assert not limiter.allow(100.4)  # 0.8 of a token
    assert limiter.allow(100.5)  # one token after 0.5 s
    assert not limiter.allow(100.5)
    assert [limiter.allow(200.0) for _ in range(4)] == [True, True, True, False]  # refilled to capacity, not more


def test_rate_limiter_ignores_a_clock_that_goes_back() -> None:
    limiter = RateLimiter(1, per_second=1.0)
    assert limiter.allow(50.0)
    assert not limiter.allow(10.0)
    assert not limiter.allow(50.5)
    assert limiter.allow(51.0)


@pytest.mark.parametrize("capacity, rate", [(0, 1.0), (1.5, 1.0), (1, 0.0), (1, -1.0), (1, float("inf")),
                                            (1, float("nan")), (True, 1.0)])
def test_rate_limiter_rejects_bad_settings(capacity: object, rate: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(capacity, rate)  # type: ignore[arg-type]


def test_histogram() -> None:
    assert histogram([0, 2, 2, 1, 2], 3) == [1, 1, 3]
    assert histogram([], 4) == [0, 0, 0, 0]
    assert histogram(iter([1, 1]), 2) == [0, 2]
    import numpy as np

    assert histogram(np.array([0, 1, 1]), 2) == [1, 2]


@pytest.mark.parametrize("choices, n", [([3], 3), ([-1], 3), ([True], 3), ([1.0], 3), (["1"], 3), ([None], 3),
                                        ([], 0), ([], 2.0)])
def test_histogram_rejects_what_is_not_a_choice(choices: list[object], n: object) -> None:
    with pytest.raises(ValueError):
        histogram(choices, n)  # type: ignore[arg-type]


# -- turns: at most n runs at once


def test_turns_hold_at_most_n_at_once_and_everyone_gets_one() -> None:
    turns, lock = Turns(2, wait=60.0), threading.Lock()
    inside, most, done = [0], [0], []
    go = threading.Barrier(8)

    def work(i: int) -> None:
        go.wait()
        for _ in range(20):
            with turns.turn() as got:
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                assert got
                time.sleep(0.001)  # hold the place while others try
                with lock:
                    inside[0] -= 1
        done.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(done) == list(range(8)) and 1 <= most[0] <= 2 and inside[0] == 0
    full = Turns(2, wait=0.0)
    with full.turn() as a, full.turn() as b, full.turn() as c:  # two places, then none
        assert (a, b, c) == (True, True, False)


def test_a_turn_not_had_within_wait_goes_ahead_and_gives_back_nothing() -> None:
    turns = Turns(1, wait=0.0)
    with turns.turn() as first, turns.turn() as second:  # the only place is held: go ahead without one
        assert first and not second
    with turns.turn() as again:  # the place came back once; the one not had gave nothing back
        assert again
        with turns.turn() as other:
            assert not other


def test_a_turn_is_given_back_when_its_block_raises() -> None:
    turns = Turns(1, wait=0.0)
    with pytest.raises(RuntimeError), turns.turn():
        raise RuntimeError("a rerun interrupts the run")
    with turns.turn() as got:
        assert got


@pytest.mark.parametrize("n, wait", [(0, 1.0), (1.5, 1.0), (True, 1.0), (1, -1.0), (1, math.inf), (1, "1")])
def test_turns_need_a_count_and_a_finite_wait(n: object, wait: object) -> None:
    with pytest.raises(ValueError):
        Turns(n, wait)  # type: ignore[arg-type]
