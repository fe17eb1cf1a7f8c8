"""Softmax & the simplex: the raw scores z = Wx + b of a real image, then softmax turning logits z into
probabilities f on Δⁿ⁻¹; temperature, shift invariance, stability, why probabilities and not one-hot."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core.data import CLASS_NAMES
from core.numbers import fmt
from core.softmax import (
    logit_path,
    naive_softmax,
    probability_check,
    saturated,
    shifted_logits,
    sigmoid,
    softmax,
    temperature_path,
)
from ui import charts, layout
from ui.data import dataset, get_data_panel
from ui.model import default_model

# The page lists classes in this order. It begins as the lecture's f = [P(Ankle boot | x), P(Bag | x), …];
# the first five are one of each kind (shoe, bag, top, dress, trousers), easy to tell apart, then the look-alikes
# join one at a time. So the n classes of the logit sliders are always a sensible set, not label 0 … n − 1.
ORDER: tuple[str, ...] = (
    "Ankle boot", "Bag", "Shirt", "Dress", "Trouser", "T-shirt/top", "Sneaker", "Pullover", "Sandal", "Coat",
)  # fmt: skip
LABEL_OF = [CLASS_NAMES.index(name) for name in ORDER]  # position in ORDER → the model's label index k

N_MAX = 10
Z_RANGE = 10.0  # logit sliders run over [−10, 10]; the logit sweep on the triangle covers the same range
T_SWEEP = np.geomspace(0.05, 100.0, 241)
Z_SWEEP = np.linspace(-Z_RANGE, Z_RANGE, 201)
DEFAULT_Z = [2.0, 1.0, 0.1, -0.5, 0.5, -1.0, 1.5, -1.5, 0.0, -0.3]
AMBIGUOUS = {  # an image between Shirt and T-shirt/top: f(T-shirt/top) ≈ 0.49, f(Shirt) ≈ 0.44
    "T-shirt/top": 0.0, "Shirt": -0.1, "Trouser": -3.2, "Pullover": -3.4, "Coat": -3.4, "Dress": -3.9, "Bag": -4.6,
    "Sandal": -6.0, "Sneaker": -6.0, "Ankle boot": -6.0,
}  # fmt: skip
AMBIGUOUS_Z = [AMBIGUOUS[name] for name in ORDER]
EDGE_Z, EDGE_T = [10.0, -10.0, -10.0], 0.05  # float64 rounds f₁ to exactly 1: f = [1, 1.9e-174, 1.9e-174]
UNDERFLOW_T = 0.01  # the same z at this T: e^{−2000} underflows to exactly 0
FLOAT64_MAX_LOG = math.log(np.finfo(np.float64).max)  # e^x overflows to inf for x > 709.78…
FLOAT64_MIN_LOG = -1075 * math.log(2.0)  # e^x rounds to 0 below half the smallest subnormal 2^−1075: x < −745.13…
TEST_IMAGE = 0  # test image #0 is an Ankle boot, the lecture's first class


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
    "float64 edge": logits_preset(EDGE_Z, softmax_T=EDGE_T),
}


@dataclass(frozen=True)
class Controls:
    """The page's main inputs: n classes, their logits z and the temperature T."""

    n: int
    z: np.ndarray
    temperature: float

    @property
    def labels(self) -> list[str]:
        """The n classes of the sliders: the first n of the page's ORDER."""
        return list(ORDER[: self.n])


def names(labels: list[str], indices: tuple[int, ...], values: np.ndarray | None = None) -> str:
    """'Bag (−7.9), Coat (−3.14)': the classes at `indices`, each with its value if given."""
    return ", ".join(labels[i] + ("" if values is None else f" ({fmt(values[i])})") for i in indices)


# ---- From Wx + b to softmax: a real image ------------------------------------------------------------------


def pick_test_image(test: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, int]:
    """The test image chosen by number (bound to the URL), shown enlarged with its true class; (image, label)."""
    images, labels = test
    index = int(st.number_input("Test image", 0, len(labels) - 1, TEST_IMAGE, step=1,
                                key="softmax_image", bind="query-params",
                                help=f"A test image number, 0 – {len(labels) - 1}; #0 is an Ankle boot."))  # fmt: skip
    image, label = images[index], int(labels[index])
    scale = 6 if layout.is_lecture() else 5
    st.image(np.repeat(np.repeat(image, scale, axis=0), scale, axis=1), width="content",
             caption=f"x: test image #{index}, true class y = {CLASS_NAMES[label]}",
             alt=f"Fashion-MNIST test image {index}, a {CLASS_NAMES[label]}, 28 by 28 grey pixels")  # fmt: skip
    return image, label


def explain_raw_scores(z: np.ndarray) -> None:
    """Why z = Wx + b is not a probability vector: its negative entries, entries above 1, and its sum."""
    check = probability_check(z)
    labels = list(ORDER)
    if check.negative:
        listed = names(labels, check.negative, z)
        count = f"{len(check.negative)} of its {len(z)} entries are negative"
        negative = f"- **{count}**: {listed}. A probability is never negative."
    else:
        negative = "- None of its entries is negative for this image, but nothing in $Wx + b$ keeps them so."
    above = (f"\n- **{len(check.above_one)} are above 1**: {names(labels, check.above_one, z)}." if check.above_one
             else "")  # fmt: skip
    if check.sums_to_one:
        total = (f"- $\\sum_k z_k$ = {fmt(check.total)}, 1 up to float32 rounding, but only by chance: nothing in "
                 "$Wx + b$ makes the entries add up to 1.")  # fmt: skip
    else:
        total = f"- **$\\sum_k z_k$ = {fmt(check.total)} ≠ 1**."
    st.markdown(f"**z = Wx + b is not a probability vector:**\n{negative}{above}\n{total}")


def explain_softmax_of_z(z: np.ndarray, f: np.ndarray) -> None:
    """f = softmax(z) as the lecture's vector [P(Ankle boot | x), P(Bag | x), …], and its sum."""
    check = probability_check(f)
    top = int(np.argmax(z))
    st.markdown(
        "**softmax turns them into probabilities:** every $e^{z_k} > 0$, and dividing by $\\sum_j e^{z_j}$ makes "
        f"the $f_k$ add up to 1. The order is kept: the largest $z_k$ ({ORDER[top]}, {fmt(z[top])}) gets the "
        f"largest $f_k$ ({fmt(f[top])})."
    )
    shown = 2  # the lecture's [P(Ankle boot | x), P(Bag | x), …]
    entries = r",\ ".join(rf"P(\text{{{name}}} \mid x)" for name in ORDER[:shown])
    values = r",\ ".join(fmt(v, tex=True) for v in f[:shown])
    st.latex(
        rf"\begin{{aligned}} f(x, \theta) &= \operatorname{{softmax}}(Wx + b) \\ &= \big[{entries},\ \ldots\big] \\ "
        rf"&= \big[{values},\ \ldots\big] \end{{aligned}}"
    )
    if not check.is_probability_vector:  # only for non-finite z: softmax of finite logits always passes
        st.markdown(f"$\\sum_k f_k$ = **{fmt(check.total)}**.")
    elif check.total == 1.0:
        st.markdown("$\\sum_k f_k$ = **1**.")
    else:
        st.markdown(f"$\\sum_k f_k$ = **1** up to float32 rounding (the float64 sum of the float32 $f_k$ is "
                    f"{fmt(check.total, None)}).")  # fmt: skip


def raw_scores_table(z: np.ndarray, f: np.ndarray) -> pd.DataFrame:
    """z and f per class (float32, 7 significant digits), with their sums."""
    rows = {name: [fmt(z[i], 7), "yes" if z[i] < 0 else "", fmt(f[i], 7)] for i, name in enumerate(ORDER)}
    rows["Σ"] = [fmt(probability_check(z).total, 7), "", fmt(probability_check(f).total, 7)]
    columns = ["zₖ = (Wx + b)ₖ", "zₖ < 0", "fₖ = softmax(z)ₖ"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def show_raw_scores() -> None:
    """The lecture's start: a linear model f(x, θ) = Wx + b on a real image, whose scores are no probabilities."""
    st.subheader("From Wx + b to softmax")
    st.markdown(
        "> *We will again start with a linear model $f(x, \\theta) = Wx + b$. However, the probabilities must sum "
        "to one, which is nonlinear.* — the lecture"
    )
    model, _ = default_model()
    test, _ = dataset("test")
    if model is None or test is None:
        get_data_panel("softmax", "Computing z = Wx + b of a real image")
        return
    left, right = st.columns([1, 2], gap="medium")
    with left:
        image, label = pick_test_image(test)
    z = model.logits(image)[LABEL_OF]  # float32, in the page's class order
    f = softmax(z)
    with right:
        fig = charts.class_scores(list(ORDER), list(f), list(z), true=ORDER.index(CLASS_NAMES[label]), height=360)
        layout.plot(fig, key="softmax_scores")
    layout.prose(
        "x holds the image's 784 standardised pixels, W (10 × 784) and b (10) are the default model's θ "
        "(trained with the Live training page's defaults). Each class gets one raw score "
        "$z_k = (Wx + b)_k$, any real number. The classes are in this page's order, which begins as the lecture's "
        "[P(Ankle boot | x), P(Bag | x), …]; the model itself numbers them by label (T-shirt/top = 0, …, "
        "Ankle boot = 9)."
    )
    explain_raw_scores(z)
    explain_softmax_of_z(z, f)
    with st.expander("Every zₖ and fₖ, to 7 significant digits (float32, the model's type)"):
        layout.table(raw_scores_table(z, f))
    layout.show_code(probability_check)


# ---- softmax and the simplex ---------------------------------------------------------------------------------


def show_definitions() -> None:
    """softmax: ℝⁿ → Δⁿ⁻¹, and Δⁿ⁻¹ as the lecture defines it and with the pᵢ ≥ 0 it needs."""
    st.subheader("softmax: ℝⁿ → Δⁿ⁻¹")
    st.latex(
        r"\operatorname{softmax}: \mathbb{R}^n \to \Delta^{n-1}, \qquad "
        r"f_i = \frac{e^{z_i/T}}{\sum_{j=1}^{n} e^{z_j/T}}"
    )
    st.markdown("T = 1 is the lecture's $e^{z_i} / \\sum_j e^{z_j}$. The lecture defines the simplex as")
    st.latex(r"\Delta^{n-1} = \Big\{\, p \in \mathbb{R}^n : \sum_{i=1}^{n} p_i = 1 \Big\}")
    st.markdown("This app uses the full definition, which adds $p_i \\ge 0$:")
    st.latex(
        r"\Delta^{n-1} = \Big\{\, p \in \mathbb{R}^n : p_i \ge 0 \text{ for every } i,\ \sum_{i=1}^{n} p_i = 1 \Big\}"
    )
    st.markdown(
        "The lecture's version omits $p_i \\ge 0$, and it is needed: without it $\\Delta^1$ would contain "
        "$p = (2, -1)$, which sums to 1 but is no probability vector (every probability lies in [0, 1]). "
        "With $p_i \\ge 0$ and $\\sum_i p_i = 1$, $p_i \\le 1$ follows. softmax meets both conditions: "
        "every $e^{z_i/T} > 0$, and the division makes the $f_i$ sum to 1."
    )


def controls() -> tuple[int, float]:
    """The number of classes n and the temperature T, side by side."""
    c1, c2 = st.columns(2, gap="large")
    n = c1.slider("Number of classes n", 2, N_MAX, 3, key="softmax_n", bind="query-params",
                  help="The first n classes of the page's order: Ankle boot, Bag, Shirt, Dress, Trouser (one of each "
                  "kind), then the look-alikes T-shirt/top, Sneaker, Pullover, Sandal, Coat.")  # fmt: skip
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
            f"$z_{{{i + 1}}}$ · {ORDER[i]}", -Z_RANGE, Z_RANGE, DEFAULT_Z[i], step=0.1, key=z_key(i),
            bind="query-params",
        )
        for i in range(n)
    ])  # fmt: skip


def table(rows: list[str], columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A table of float64 values as text (every digit: `fmt(v, None)`), one row per name, one column per named vector."""
    return pd.DataFrame({name: [fmt(v, None) for v in col] for name, col in columns.items()}, index=rows)


def show_output(c: Controls, f: np.ndarray) -> None:
    """f as bars with its entries and their float64 sum written out."""
    layout.plot(charts.probability_bars(c.labels, [("f = softmax(z / T)", list(f), "softmax")]), key="softmax_bars")
    total = float(np.sum(f))
    rounding = "" if total == 1.0 else " (1 up to float64 rounding)"
    st.markdown(
        f"$f \\approx ({', '.join(fmt(v) for v in f)})$, and $\\sum_{{i=1}}^{{{c.n}}} f_i$ = "
        f"**{fmt(total, None)}**{rounding}, computed in float64 from the unrounded $f_i$."
    )
    layout.show_code(softmax)


def show_exact_zeros_and_ones(c: Controls, f: np.ndarray) -> None:
    """'No f_i is ever exactly 0 or 1': true of the real numbers, false in float64 at small T; and the current f."""
    edge = softmax(EDGE_Z, EDGE_T)
    under = softmax(EDGE_Z, UNDERFLOW_T)
    edge_z = ", ".join(fmt(v) for v in EDGE_Z)
    layout.prose(
        "**Is an $f_i$ ever exactly 0 or 1?** In the real numbers, never: every $e^{z_i/T} > 0$, so "
        "$0 < f_i < 1$ and f lies strictly inside $\\Delta^{n-1}$, never on its boundary. "
        f"In float64 it happens at small T: for z = ({edge_z}) and T = {fmt(EDGE_T)} (preset *float64 edge*) "
        f"the stable form gives f = [{', '.join(fmt(v, None) for v in edge)}]: $f_1$ is exactly 1 because "
        f"1 + 2 · {fmt(edge[1])} rounds to 1. At T = {fmt(UNDERFLOW_T)} the same z gives "
        f"$e^{{{fmt((EDGE_Z[1] - EDGE_Z[0]) / UNDERFLOW_T)}}}$, which underflows to 0: "
        f"f = [{', '.join(fmt(v, None) for v in under)}] exactly."
    )
    zeros, ones = saturated(f)
    if zeros or ones:
        parts = ([f"exactly 0 for {names(c.labels, zeros)}"] if zeros else []) + (
            [f"exactly 1 for {names(c.labels, ones)}"] if ones else [])  # fmt: skip
        st.markdown(f"The current f, in float64: $f_i$ is {' and '.join(parts)}.")
    else:
        st.markdown("The current f, in float64: every $f_i$ lies strictly between 0 and 1.")


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
        name, symbol = f"T: {fmt(T_SWEEP[0])} → {fmt(T_SWEEP[-1])}", "T"
    else:
        i = int(sweep[1:]) - 1
        path, values = logit_path(c.z, i, Z_SWEEP, c.temperature), Z_SWEEP
        name, symbol = f"z{i + 1}: {fmt(-Z_RANGE)} → {fmt(Z_RANGE)}", f"z{i + 1}"
    fig = charts.simplex_triangle(c.labels, list(f), path.tolist(), list(values), name, symbol)
    layout.plot(fig, key="softmax_simplex")


def explain_two_classes(c: Controls, f: np.ndarray) -> None:
    """n = 2: f₁ = σ((z₁ − z₂)/T) and f₂ = 1 − f₁ = σ((z₂ − z₁)/T), with the current numbers."""
    z1, z2, t = float(c.z[0]), float(c.z[1]), c.temperature
    s1, s2 = float(sigmoid((z1 - z2) / t)), float(sigmoid((z2 - z1) / t))
    st.info(
        "With n = 2 classes f lives on the segment $\\Delta^1$: "
        "$f_1 = \\sigma\\big((z_1 - z_2)/T\\big)$ and $f_2 = 1 - f_1 = \\sigma\\big((z_2 - z_1)/T\\big)$, "
        "where $\\sigma(t) = 1/(1 + e^{-t})$ is the sigmoid. "
        f"Here $f_1$ ({c.labels[0]}) = σ(({fmt(z1)} − {fmt(z2, paren=True)}) / {fmt(t)}) = **{fmt(s1)}** and "
        f"$f_2$ ({c.labels[1]}) = σ(({fmt(z2)} − {fmt(z1, paren=True)}) / {fmt(t)}) = **{fmt(s2)}**; "
        f"softmax gives ({fmt(f[0])}, {fmt(f[1])}). With n = 3 f is a point in a triangle.",
        icon="ℹ️",
    )
    layout.show_code(sigmoid)


def explain_simplex(c: Controls, f: np.ndarray) -> None:
    """What the triangle shows (n = 3), or the way to it (any other n)."""
    if c.n != 3:
        if c.n == 2:
            explain_two_classes(c, f)
        else:
            st.info(f"With n = {c.n} classes f lives in $\\Delta^{{{c.n - 1}}}$, which does not fit on a page. "
                    "With n = 3 it is a point in a triangle.", icon="ℹ️")  # fmt: skip
        st.button("Show n = 3", key="softmax_to3", on_click=lambda: st.session_state.update(softmax_n=3))
        return
    layout.prose(
        "**The triangle.** Each corner is a one-hot vector: certain of one class. The centre is the uniform "
        "f = (⅓, ⅓, ⅓). In the real numbers every softmax output lies strictly **inside** the triangle (below: "
        "float64 can round it onto an edge or a corner). Lowering T drives f towards the corner of the largest "
        "logit (the argmax); raising T drives it to the centre. Raising one logit pulls f towards that class's corner."
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
    st.markdown(f"Largest difference $\\max_i |f_i(z + c) - f_i(z)|$ = **{fmt(biggest)}**{rounding}")
    return shift


def show_stability(c: Controls, shift: float) -> None:
    """The naive e^{z}/Σe^{z} next to the stable form on the logits z + c, with the float64 values."""
    st.subheader("Numerically stable softmax: subtract the max first")
    zc = c.z + shift
    st.markdown(
        f"Both forms on the logits $z + c$ (c = {fmt(shift)}, set above; the preset *[1000, 999, 998]* sets it). "
        f"In float64 $e^x$ overflows to inf for $x > \\ln(\\text{{largest float64}}) \\approx {fmt(FLOAT64_MAX_LOG)}$ "
        f"and underflows to 0 for $x < -1075 \\ln 2 \\approx {fmt(FLOAT64_MIN_LOG)}$."
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
        f"f says **{c.labels[top]} {fmt(f[top])}**, runner-up **{c.labels[second]} {fmt(f[second])}**. "
        f"The one-hot argmax says *{c.labels[top]}, certainly*."
    )
    ambiguous = dict(zip(ORDER, softmax(AMBIGUOUS_Z), strict=True))
    layout.prose(
        "Probabilities express **uncertainty**. An ambiguous image — a Shirt that looks like a T-shirt/top — "
        "should get most of its probability split between those two classes: the preset *Shirt or T-shirt?* gives "
        f"f(T-shirt/top) = {fmt(ambiguous['T-shirt/top'])} and f(Shirt) = {fmt(ambiguous['Shirt'])}. The model "
        "is unsure between two classes, and f tells you so. A one-hot answer (1 for one class, 0 for the others) "
        "hides the doubt; and the loss needs the probabilities to reward a prediction that is *almost* right and "
        "penalise one that is confidently wrong."
    )


def main() -> None:
    layout.header(
        "Softmax & the simplex",
        "A linear model gives each class a raw score, a logit $z_k = (Wx + b)_k$: any real number. softmax turns "
        "the logits $z \\in \\mathbb{R}^n$ into probabilities $f \\in \\Delta^{n-1}$: non-negative numbers that add "
        "up to 1. First a real image's scores, then logits to move by hand with a temperature; with three classes "
        "f is a point in a triangle.",
    )
    layout.section(show_raw_scores)
    show_definitions()
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
    explain_simplex(c, f)
    show_exact_zeros_and_ones(c, f)
    shift = show_shift_invariance(c, f)
    show_stability(c, shift)
    show_uncertainty(c, f)


main()
