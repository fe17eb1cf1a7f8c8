"""core.numbers.fmt: the one way every number is written on screen."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import fmt


@pytest.mark.parametrize(
    ("x", "text"),
    [(0.05, "0.05"), (0.4, "0.4"), (0.1 + 0.05, "0.15"), (0.32000000000000006, "0.32"), (1.0, "1"), (0.0, "0"),
     (-0.0, "0"), (-1e-20, "-1e-20"), (0.5, "0.5"), (2 / 3, "0.6667"), (1234.5678, "1235"), (1.234e-5, "1.234e-05")],
)  # fmt: skip
def test_the_lectures_numbers_are_written_as_the_lecture_writes_them(x: float, text: str) -> None:
    assert fmt(x) == text


def test_negative_zero_shows_no_sign_but_a_tiny_negative_keeps_it() -> None:
    assert fmt(-0.0) == fmt(-0.0, None) == fmt(-0.0, tex=True) == "0"
    assert fmt(-1e-9) == "-1e-09"


@pytest.mark.parametrize(("x", "plain", "tex"), [(math.inf, "∞", r"\infty"), (-math.inf, "-∞", r"-\infty")])
def test_infinities(x: float, plain: str, tex: str) -> None:
    assert fmt(x) == plain
    assert fmt(x, tex=True) == tex


def test_nan_is_written_as_nan() -> None:
    assert fmt(math.nan) == "nan"


def test_tex_writes_exponents_as_powers_of_ten() -> None:
    assert fmt(1.234e-5, tex=True) == r"1.234 \times 10^{-5}"
    assert fmt(1.9e-174, None, tex=True) == r"1.9 \times 10^{-174}"
    assert fmt(0.32, tex=True) == "0.32"


def test_paren_wraps_negative_numbers_only() -> None:
    assert fmt(-0.5, paren=True) == "(-0.5)"
    assert fmt(0.5, paren=True) == "0.5"
    assert fmt(-math.inf, tex=True, paren=True) == r"(-\infty)"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_digit_reads_back_as_the_same_float64(x: float) -> None:
    assert float(fmt(x, None)) == (0.0 if x == 0 else x)


@given(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False))
def test_four_significant_digits_are_within_half_a_unit_of_the_fourth(x: float) -> None:
    assert math.isclose(float(fmt(x)), x, rel_tol=5e-4, abs_tol=0.0)
