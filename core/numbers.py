"""How every number on screen is written: the one formatter of the app.

The lecture writes probabilities and losses short (0.05, 0.4, 0.32); the softmax page's float64 tables
need every digit (1.9e-174 is not 0). `fmt` does both, and the LaTeX form for formulas.
"""

from __future__ import annotations

import math
import re

DIGITS = 4  # significant digits of a number written the lecture's way


def fmt(x: float, digits: int | None = DIGITS, *, tex: bool = False, paren: bool = False) -> str:
    """x with at most `digits` significant digits (0.05, 0.32, 1.234e-05), or every digit of the float64 for
    ``digits=None`` (the shortest text that reads back as the same float64).

    Never "-0"; ±inf as "∞" ("\\infty" with ``tex``), NaN as "nan". With ``tex`` an exponent is written
    1.234 \\times 10^{-5}. With ``paren`` a negative number is put in parentheses, to be subtracted or
    multiplied in a formula: 3 - (-0.5).
    """
    x = float(x)
    if math.isnan(x):
        text = "nan"
    elif math.isinf(x):
        text = ("-" if x < 0 else "") + (r"\infty" if tex else "∞")
    else:
        text = repr(x) if digits is None else f"{x:.{digits}g}"
        if digits is None and text.endswith(".0"):
            text = text[:-2]
        if re.fullmatch(r"-0(\.0*)?", text):
            text = "0"
        if tex and "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    if paren and text.startswith("-"):
        return f"({text})"
    return text
