"""Softmax & the simplex: logits z → probabilities f on Δⁿ⁻¹; temperature, shift invariance, stability."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core.data import CLASS_NAMES
from core.numbers import fmt
from core.softmax import logit_path, naive_softmax, shifted_logits, softmax, temperature_path
from ui import charts, layout

N_MAX = 10
Z_RANGE = 10.0  # logit sliders run over [−10, 10]; the logit sweep on the triangle covers the same range
T_SWEEP = np.geomspace(0.05, 100.0, 241)
Z_SWEEP = np.linspace(-Z_RANGE, Z_RANGE, 201)
DEFAULT_Z = [2.0, 1.0, 0.1, -0.5, 0.5, -1.0, 1.5, -1.5, 0.0, -0.3]
AMBIGUOUS_Z = [0.0, -3.2, -3.4, -3.9, -3.4, -6.0, -0.1, -6.0, -4.6, -6.0]  # T-shirt/top ≈ 0.48, Shirt ≈ 0.44
FLOAT64_MAX_LOG = math.log(np.finfo(np.float64).max)  # e^x overflows to inf beyond x ≈ 709.78


def z_key(i: int) -> str:
    """Widget key of the logit slider z_{i+1}."""
    return f"softmax_z{i + 1}"


def logits_preset(z: list[float], **extra: float) -> dict[str, float]:
    """Widget values for a preset: n, every z_i, T = 1 and c = 0 unless given."""
    values: dict[str, float] = {"softmax_n": len(z), "softmax_T": 1.0, "softmax_c": 0.0}
    values.update({z_key(i): v for i, v in enumerate(z)})
    values.update(extra)
    return values


PRESETS = {
    "[2, 1, 0.1]": logits_preset([2.0, 1.0, 0.1]),
    "Shirt or T-shirt?": logits_preset(AMBIGUOUS_Z),
    "[1000, 999, 998]": logits_preset([0.0, -1.0, -2.0], softmax_c=1000.0),
    "T → 0": logits_preset([2.0, 1.0, 0.1], softmax_T=0.05),
    "T → ∞": logits_preset([2.0, 1.0, 0.1], softmax_T=10.0),
}


@dataclass(frozen=True)
class Controls:
    """The page's main inputs: n classes, their logits z and the temperature T."""

    n: int
    z: np.ndarray
    temperature: float

    @property
    def labels(self) -> list[str]:
        return list(CLASS_NAMES[: self.n])


def controls() -> tuple[int, float]:
    """The number of classes n and the temperature T, side by side."""
    c1, c2 = st.columns(2, gap="large")
    n = c1.slider("Number of classes n", 2, N_MAX, 3, key="softmax_n", bind="query-params")
    temperature = c2.slider(
        "Temperature T",
        0.05,
        10.0,
        1.0,
        step=0.05,
        key="softmax_T",
        bind="query-params",
        help="softmax(z / T): small T sharpens f towards the argmax, large T flattens it towards uniform.",
    )
    return n, temperature


def logit_sliders(n: int) -> np.ndarray:
    """One slider per logit z_i, labelled with its class; in two columns when there are more than five."""
    cols = st.columns(2) if n > 5 else [st.container()]
    per_col = -(-n // len(cols))
    return np.array([
        cols[i // per_col].slider(
            f"$z_{{{i + 1}}}$ · {CLASS_NAMES[i]}", -Z_RANGE, Z_RANGE, DEFAULT_Z[i], step=0.1, key=z_key(i),
            bind="query-params",
        )
        for i in range(n)
    ])  # fmt: skip


def table(rows: list[str], columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A table of float64 values as text (every digit: `fmt(v, None)`), one row per name, one column per named vector."""
    return pd.DataFrame({name: [fmt(v, None) for v in col] for name, col in columns.items()}, index=rows)


def show_output(c: Controls, f: np.ndarray) -> None:
    """f as bars with its sum written out and computed."""
    layout.plot(charts.probability_bars(c.labels, [("f = softmax(z / T)", list(f), "softmax")]), key="softmax_bars")
    terms = " + ".join(f"{v:.3f}" for v in f)
    st.markdown(f"$\\sum_{{i=1}}^{{{c.n}}} f_i$ = {terms} = **{f.sum():.6f}**")
    layout.show_code(softmax)


def show_simplex(c: Controls, f: np.ndarray) -> None:
    """For n = 3: f as a point in the triangle Δ², and the path it traces as T or one logit sweeps."""
    st.markdown("**The simplex Δ²:** f is a point in the triangle. Trace its path as T or one logit sweeps:")
    options = {"T": "T"} | {f"z{i + 1}": f"z{'₁₂₃'[i]}" for i in range(3)}
    sweep = st.segmented_control(
        "Swept quantity",
        list(options),
        default="T",
        format_func=options.get,
        key="softmax_path",
        bind="query-params",
        label_visibility="collapsed",
    )
    if sweep in (None, "T"):
        path, values = temperature_path(c.z, T_SWEEP), T_SWEEP
        name, symbol = f"T: {T_SWEEP[0]:g} → {T_SWEEP[-1]:g}", "T"
    else:
        i = int(sweep[1:]) - 1
        path, values = logit_path(c.z, i, Z_SWEEP, c.temperature), Z_SWEEP
        name, symbol = f"z{i + 1}: {-Z_RANGE:g} → {Z_RANGE:g}", f"z{i + 1}"
    fig = charts.simplex_triangle(c.labels, list(f), path.tolist(), list(values), name, symbol)
    layout.plot(fig, key="softmax_simplex")


def explain_simplex(n: int) -> None:
    """What the triangle shows (n = 3), or the way to it (any other n)."""
    if n != 3:
        where = (
            "on the segment $\\Delta^1$: $f_2 = 1 - f_1$, the sigmoid of $z_1 - z_2$"
            if n == 2
            else f"in $\\Delta^{{{n - 1}}}$, which does not fit on a page"
        )
        st.info(f"With n = {n} classes f lives {where}. With n = 3 it is a point in a triangle.")
        st.button("Show n = 3", key="softmax_to3", on_click=lambda: st.session_state.update(softmax_n=3))
        return
    layout.prose(
        "**The triangle.** Each corner is a one-hot vector: certain of one class. The centre is the uniform "
        "f = (⅓, ⅓, ⅓). Every softmax output lies strictly **inside** the triangle: $e^{z_i} > 0$, so no $f_i$ is "
        "ever exactly 0 or 1. Lowering T drives f towards the corner of the largest logit (the argmax); raising T "
        "drives it to the centre. Raising one logit pulls f towards that class's corner."
    )


def show_shift_invariance(c: Controls, f: np.ndarray) -> float:
    """softmax(z + c) = softmax(z): both vectors side by side. Returns the shift c."""
    st.subheader("Shift invariance: adding c to every logit changes nothing")
    st.latex(
        r"\frac{e^{(z_i + c)/T}}{\sum_j e^{(z_j + c)/T}} = \frac{e^{c/T}\, e^{z_i/T}}{e^{c/T} \sum_j e^{z_j/T}}"
        r" = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}"
    )
    shift = st.columns([1, 2])[0].number_input(
        "Constant c added to every logit", -2000.0, 2000.0, 0.0, step=1.0, key="softmax_c", bind="query-params"
    )
    f_shifted = softmax(c.z + shift, c.temperature)
    layout.table(table(c.labels, {"zᵢ": c.z, "zᵢ + c": c.z + shift, "fᵢ(z)": f, "fᵢ(z + c)": f_shifted}))
    biggest = np.max(np.abs(f_shifted - f))
    rounding = " (float64 rounding of z + c, not a real difference)" if biggest > 0 else ""
    st.markdown(f"Largest difference $\\max_i |f_i(z + c) - f_i(z)|$ = **{biggest:.3g}**{rounding}")
    return shift


def show_stability(c: Controls, shift: float) -> None:
    """The naive e^{z}/Σe^{z} next to the stable form on the logits z + c, with the float64 values."""
    st.subheader("Numerically stable softmax: subtract the max first")
    zc = c.z + shift
    st.markdown(
        f"Both forms on the logits $z + c$ (c = {shift:g}, set above; the preset *[1000, 999, 998]* sets it). "
        f"float64 overflows to inf beyond $e^{{{FLOAT64_MAX_LOG:.2f}}}$ and underflows to 0 below $e^{{-745}}$."
    )
    st.latex(
        r"\begin{aligned}\text{naive:}\quad f_i &= \frac{e^{z_i/T}}{\sum_j e^{z_j/T}} \\[4pt]"
        r"\text{stable:}\quad f_i &= \frac{e^{(z_i - m)/T}}{\sum_j e^{(z_j - m)/T}}, \quad m = \max_j z_j\end{aligned}"
    )
    with np.errstate(over="ignore", under="ignore"):
        e_naive = np.exp(zc / c.temperature)
    f_naive = naive_softmax(zc, c.temperature)
    s = shifted_logits(zc, c.temperature)
    e_stable = np.exp(s)
    columns = {
        "zᵢ/T": zc / c.temperature,
        "naive e^(zᵢ/T)": e_naive,
        "naive fᵢ": f_naive,
        "(zᵢ − m)/T": s,
        "stable e^((zᵢ − m)/T)": e_stable,
        "stable fᵢ": softmax(zc, c.temperature),
    }
    data = table(c.labels, columns)
    sums = table(["Σ"], {"naive e^(zᵢ/T)": [np.sum(e_naive)], "stable e^((zᵢ − m)/T)": [np.sum(e_stable)]})
    layout.table(pd.concat([data, sums]).fillna(""))
    left, right = st.columns(2)
    with left:
        if np.all(np.isfinite(f_naive)):
            st.success("The naive form works here: every $e^{z_i/T}$ and their sum are finite float64.", icon="✅")
        elif np.any(np.isinf(e_naive)):
            st.error("Naive form fails: $e^{z_i/T}$ overflowed to inf, so f = inf / inf = nan.", icon="💥")
        else:
            st.error("Naive form fails: every $e^{z_i/T}$ underflowed to 0, so f = 0 / 0 = nan.", icon="💥")
    right.success(
        f"m = {fmt(np.max(zc), None)}. Every exponent is ≤ 0, so each $e^{{(z_i - m)/T}}$ lies in (0, 1] and their sum "
        f"in [1, n]: no overflow, no 0/0 — the same f, by shift invariance.",
        icon="✅",
    )
    layout.show_code(shifted_logits, softmax, naive_softmax)


def show_uncertainty(c: Controls, f: np.ndarray) -> None:
    """f against its one-hot argmax: the probabilities carry the model's doubt, the argmax hides it."""
    st.subheader("Why probabilities, not one-hot?")
    order = np.argsort(-f, kind="stable")
    top, second = order[0], order[1]
    one_hot = np.eye(c.n)[top]
    fig = charts.probability_bars(
        c.labels, [("f = softmax(z / T)", list(f), "softmax"), ("one-hot argmax", list(one_hot), "neutral")]
    )
    layout.plot(fig, key="softmax_onehot")
    st.markdown(
        f"f says **{c.labels[top]} {f[top]:.2f}**, runner-up **{c.labels[second]} {f[second]:.2f}**. "
        f"The one-hot argmax says *{c.labels[top]}, certainly*."
    )
    layout.prose(
        "Probabilities express **uncertainty**. An ambiguous image — a Shirt that looks like a T-shirt/top — "
        "should get something like f = [0.48, 0.02, …, 0.45, …]: the model is unsure between two classes, and "
        "f tells you so. A one-hot answer [1, 0, …, 0, …] hides the doubt; and the loss needs the probabilities "
        "to reward a prediction that is *almost* right and penalise one that is confidently wrong. "
        "Try the preset *Shirt or T-shirt?*."
    )


def main() -> None:
    layout.header(
        "Softmax & the simplex",
        "The model's last step turns scores (logits) $z = Wx + b \\in \\mathbb{R}^n$ into probabilities "
        "$f \\in \\Delta^{n-1}$: non-negative numbers that add up to 1. Move the logits and the temperature "
        "and watch f; with three classes f is a point in a triangle.",
    )
    st.latex(
        r"\operatorname{softmax}: \mathbb{R}^n \to \Delta^{n-1}, \qquad "
        r"f_i = \frac{e^{z_i/T}}{\sum_{j=1}^{n} e^{z_j/T}}"
    )
    layout.presets("softmax", PRESETS)
    n, temperature = controls()
    left, right = st.columns(2, gap="large")
    with left:
        c = Controls(n=n, z=logit_sliders(n), temperature=temperature)
    f = softmax(c.z, c.temperature)
    with left if c.n == 3 else right:
        show_output(c, f)
    if c.n == 3:
        with right:
            show_simplex(c, f)
    explain_simplex(c.n)
    shift = show_shift_invariance(c, f)
    show_stability(c, shift)
    show_uncertainty(c, f)


main()
