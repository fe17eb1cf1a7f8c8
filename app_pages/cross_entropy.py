"""KL vs MSE → cross-entropy: how wrong is f for the label y, and why the loss is −log f_true."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.data import CLASS_NAMES
from core.losses import (
    cross_entropy,
    cross_entropy_grad_logits,
    curves_vs_p_true,
    entropy,
    kl_divergence,
    mse,
    mse_grad_logits,
)
from core.numbers import fmt
from core.probability import check_distribution
from core.probability import normalise as normalise_distribution
from core.softmax import logits_of
from ui import charts, layout

N_MAX = 10
P_TRUE = np.linspace(0.001, 0.999, 999)
SHOWN_TERMS = 3  # sums over more classes show their y_i > 0 terms and fold the zeros
ROW = [1.4, 1, 1]  # class name | y_i | f_i


def vector_preset(y: list[float], f: list[float]) -> dict[str, float]:
    """Widget values for a preset: n, every y_i and f_i."""
    values: dict[str, float] = {"ce_n": len(y)}
    values.update({f"ce_y{i + 1}": v for i, v in enumerate(y)})
    values.update({f"ce_f{i + 1}": v for i, v in enumerate(f)})
    return values


SHIRT = CLASS_NAMES.index("Shirt")
PRESETS = {
    "f = [0.6, 0.4]": vector_preset([1.0, 0.0], [0.6, 0.4]),
    "Confident, wrong": vector_preset([1.0, 0.0], [0.01, 0.99]),
    "Nearly right": vector_preset([1.0, 0.0], [0.95, 0.05]),
    "Soft y": vector_preset([0.9, 0.1], [0.5, 0.5]),
    "10 classes": vector_preset(list(np.eye(N_MAX)[SHIRT]), [0.48, 0.02, 0.01, 0.01, 0.01, 0.0, 0.45, 0.0, 0.02, 0.0]),
}


@dataclass(frozen=True)
class Controls:
    """The target y (the label as a distribution) and the prediction f over the first n classes."""

    n: int
    y: np.ndarray
    f: np.ndarray

    @property
    def labels(self) -> list[str]:
        return list(CLASS_NAMES[: self.n])


def probability_input(container: DeltaGenerator, name: str, default: float) -> float:
    """One entry y_i or f_i (widget key ce_{name}); any number is accepted and checked afterwards."""
    return container.number_input(name, value=default, step=0.05, format="%.3f", key=f"ce_{name}",
                                  bind="query-params", label_visibility="collapsed")  # fmt: skip


def controls() -> Controls:
    """n, then one row per class with its y_i and f_i."""
    n = st.slider("Number of classes n", 2, N_MAX, 2, key="ce_n", bind="query-params")
    st.caption("y: the label as a distribution (one-hot: 1 on the true class). f: the model's prediction.")
    head = st.columns(ROW, vertical_alignment="bottom")
    head[1].markdown("**y**")
    head[2].markdown("**f**")
    y, f = [], []
    for i in range(n):
        row = st.columns(ROW, vertical_alignment="center")
        row[0].markdown(f"{CLASS_NAMES[i]}")
        y.append(probability_input(row[1], f"y{i + 1}", 1.0 if i == 0 else 0.0))
        f.append(probability_input(row[2], f"f{i + 1}", [0.6, 0.4][i] if i < 2 else 0.0))
    return Controls(n=n, y=np.array(y), f=np.array(f))


def normalise(name: str, n: int) -> None:
    """Divide the entries of y or f (widget keys ce_{name}1…n) by their sum, so they add up to 1."""
    keys = [f"ce_{name}{i + 1}" for i in range(n)]
    for k, v in zip(keys, normalise_distribution([st.session_state[k] for k in keys]), strict=True):
        st.session_state[k] = float(v)


def problems(c: Controls) -> list[str]:
    """What makes y or f not a probability vector, with how to fix it; also offers Normalise when it helps."""
    found = []
    for name, v in (("y", c.y), ("f", c.f)):
        try:
            check_distribution(v, name)
        except ValueError as e:
            found.append(f"{e}. Edit the {name} column so every entry is in [0, 1] and they add up to 1.")
            if np.all(v >= 0) and v.sum() > 0:
                st.button(f"Normalise {name} (divide by its sum {v.sum():.4g})", key=f"ce_norm_{name}",
                          on_click=normalise, args=(name, c.n))  # fmt: skip
    return found


def plugged(c: Controls, term: Callable[[float, float], str], keep: np.ndarray, fold: str) -> str:
    """Σ_i term(y_i, f_i) written out: every term for n ≤ 3, else the `keep` ones and the rest folded as `fold`."""
    idx = range(c.n) if c.n <= SHOWN_TERMS else np.flatnonzero(keep)
    text = " + ".join(term(c.y[i], c.f[i]) for i in idx)
    if len(idx) < c.n:
        text += rf" + \underbrace{{{fold}}}_{{\text{{{c.n - len(idx)} more}}}}"
    return text


def kl_terms(c: Controls, term: Callable[[float, float], str]) -> str:
    """A sum over y_i · (…) written out; the y_i = 0 terms are 0 and fold as 0 + ⋯ + 0."""
    return plugged(c, term, c.y > 0, r"0 + \dots + 0")


def aligned(*lines: str) -> str:
    """Lines of an equation aligned at their `&` (each long formula: symbols first, then the numbers)."""
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def true_class(y: np.ndarray) -> int | None:
    """The index of the label when y is one-hot, else None."""
    return int(np.argmax(y)) if np.count_nonzero(y) == 1 and np.isclose(y.max(), 1.0) else None


def show_mse(c: Controls) -> None:
    """The lecture's first try, written out with the live numbers."""
    st.subheader("A first try: mean squared error")
    biggest = np.argsort(-(c.y + c.f), kind="stable")[:3]  # the classes that matter most, in lecture order
    keep = np.isin(np.arange(c.n), biggest)
    terms = plugged(c, lambda yi, fi: f"({fmt(fi)} - {fmt(yi)})^2", keep, r"\cdots")
    st.latex(aligned(r"\mathrm{MSE}(f, y) &= \sum_i (f_i - y_i)^2", f"&= {terms} = {fmt(mse(c.y, c.f), tex=True)}"))
    st.markdown("> *“In practice this does not work very well.”* — the gradients below show why.")


def show_kl(c: Controls) -> None:
    """KL divergence: definition, both directions with numbers, and H(P, Q) = H(P) + KL(P‖Q)."""
    st.subheader("KL divergence: how far is the prediction f from the label y?")
    st.latex(r"\mathrm{KL}(P \,\|\, Q) = \sum_i P_i \log \frac{P_i}{Q_i} \;\geq 0, \quad = 0 \iff P = Q")
    st.latex(r"H(P) = -\sum_i P_i \log P_i, \qquad H(P, Q) = -\sum_i P_i \log Q_i")
    kl_yf, kl_fy = kl_divergence(c.y, c.f), kl_divergence(c.f, c.y)
    h_y, h_yf = entropy(c.y), cross_entropy(c.y, c.f)
    relation = r"\neq" if not np.isclose(kl_yf, kl_fy) else "="
    st.latex(rf"\mathrm{{KL}}(y \,\|\, f) = {fmt(kl_yf, tex=True)} \;{relation}\; \mathrm{{KL}}(f \,\|\, y) = {fmt(kl_fy, tex=True)}")
    st.latex(rf"H(y, f) = H(y) + \mathrm{{KL}}(y \,\|\, f):\quad {fmt(h_yf, tex=True)} = {fmt(h_y, tex=True)} + {fmt(kl_yf, tex=True)}")
    layout.prose(
        "KL is **not symmetric**: it measures the surprise of expecting Q when P is true. "
        + (
            "Here KL(f ‖ y) = ∞ because f puts probability on a class where y has none: log(f_i / 0) = ∞. "
            if math.isinf(kl_fy)
            else ""
        )
        + "Try the preset *Soft y* for two finite, different values. H is the entropy, H(P, Q) the cross-entropy; "
        "natural log (nats), 0 · log 0 = 0."
    )
    layout.show_code(kl_divergence, cross_entropy, entropy)


def derivation_steps(c: Controls) -> list[tuple[str, str]]:
    """The lecture's derivation KL(y‖f) → cross-entropy, each step with the live numbers."""
    kl = kl_divergence(c.y, c.f)
    sum_y_log_y, sum_y_log_f = -entropy(c.y) + 0.0, -cross_entropy(c.y, c.f) + 0.0
    ce = cross_entropy(c.y, c.f)
    k = true_class(c.y)
    if k is not None:  # one-hot y: only the true class survives
        cross = (r"\mathcal{L}(\theta) &= -\sum_i y_i \log f_i(x, \theta) = -\log f_{\text{true}}",
                 rf"&= -\log {fmt(c.f[k])} = {fmt(ce, tex=True)}")  # fmt: skip
    else:
        cross = (r"\mathcal{L}(\theta) &= -\sum_i y_i \log f_i(x, \theta)",
                 "&= -(" + kl_terms(c, lambda yi, fi: rf"{fmt(yi)} \cdot \log {fmt(fi)}") + f") = {fmt(ce, tex=True)}")  # fmt: skip
    return [
        (
            "Plug the prediction f and the label y into the KL divergence (0 · log 0 = 0).",
            aligned(
                r"\mathrm{KL}(y \,\|\, f) &= \sum_i y_i \log \frac{y_i}{f_i}",
                "&= "
                + kl_terms(c, lambda yi, fi: rf"{fmt(yi)} \cdot \log \frac{{{fmt(yi)}}}{{{fmt(fi)}}}")
                + f" = {fmt(kl, tex=True)}",
            ),
        ),
        (
            "Log rule: $\\log \\frac{a}{b} = \\log a - \\log b$.",
            aligned(
                r"&= \sum_i y_i \left(\log y_i - \log f_i\right)",
                "&= " + kl_terms(c, lambda yi, fi: rf"{fmt(yi)} \cdot (\log {fmt(yi)} - \log {fmt(fi)})"),
            ),
        ),
        (
            "Split the sum in two.",
            aligned(
                r"&= \sum_i y_i \log y_i \;-\; \sum_i y_i \log f_i",
                rf"&= {fmt(sum_y_log_y, tex=True)} - ({fmt(sum_y_log_f, tex=True)}) = {fmt(kl, tex=True)}",
            ),
        ),
        (
            (
                "The first term depends only on the label y, not on the parameters θ: a constant we can drop "
                "(with a one-hot y it is exactly 0, since 1 · log 1 = 0 and 0 · log 0 = 0)."
            ),
            rf"\sum_i y_i \log y_i = {fmt(sum_y_log_y, tex=True)} \quad \text{{(independent of }} \theta)",
        ),
        (
            "What is left is the **cross-entropy** loss; with a one-hot y only the true class survives.",
            aligned(*cross),
        ),
        (
            "Learning means choosing θ to minimise it.",
            r"\theta^* = \arg\min_\theta \; -\sum_i y_i \log f_i(x, \theta)",
        ),
        (
            f"Over all N training images $(x_n, y_n)$; this image adds ${fmt(ce, tex=True)}$ to the sum.",
            r"\theta^* = \arg\min_\theta \sum_{n=1}^{N} -\log f_{y_n}(x_n, \theta)",
        ),
    ]


def show_gradients(c: Controls, valid: bool) -> None:
    """Loss and ∂𝓛/∂z_true against f_true for CE and MSE-through-softmax, with a valid f marked."""
    st.subheader("Why not MSE? The gradient vanishes when the model is confidently wrong")
    rest = "f = [f_true, 1 − f_true]" if c.n == 2 else f"the other {c.n - 1} classes share 1 − f_true equally"
    st.markdown(
        "Loss and its gradient with respect to the true class's logit $z_{\\text{true}}$, against "
        f"$f_{{\\text{{true}}}}$, the predicted probability of the true class (y one-hot, {rest})."
    )
    curves = curves_vs_p_true(P_TRUE, c.n)
    k = true_class(c.y) if valid else None
    loss_marks, grad_marks = [], []
    if k is not None and 0 < c.f[k] < 1:
        z = logits_of(c.f)
        ce_grad, mse_grad = cross_entropy_grad_logits(c.y, z)[k], mse_grad_logits(c.y, z)[k]
        loss_marks = [("your f: CE", c.f[k], cross_entropy(c.y, c.f), "cross_entropy"),
                      ("your f: MSE", c.f[k], mse(c.y, c.f), "mse")]  # fmt: skip
        grad_marks = [("your f: CE", c.f[k], ce_grad, "cross_entropy"), ("your f: MSE", c.f[k], mse_grad, "mse")]
    top = max([5.0] + [m[2] + 0.3 for m in loss_marks])
    left, right = st.columns(2)
    with left:
        lines = [("cross-entropy", curves["ce"], "cross_entropy"), ("MSE", curves["mse"], "mse")]
        fig = charts.p_true_curves(list(P_TRUE), lines, loss_marks, "loss 𝓛", (0.0, top))
        layout.plot(fig, key="ce_loss_curves")
        st.latex(
            r"\mathcal{L}_{\mathrm{CE}} = -\log f_{\text{true}} \qquad "
            r"\mathcal{L}_{\mathrm{MSE}} = \sum_i (f_i - y_i)^2"
        )
    with right:
        grads = [("cross-entropy", curves["ce_grad"], "cross_entropy"), ("MSE", curves["mse_grad"], "mse")]
        fig = charts.p_true_curves(list(P_TRUE), grads, grad_marks, "∂𝓛/∂z_true", (-1.05, 0.05))
        layout.plot(fig, key="ce_grad_curves")
        st.latex(
            aligned(
                r"\frac{\partial \mathcal{L}_{\mathrm{CE}}}{\partial z} &= f - y",
                r"\frac{\partial \mathcal{L}_{\mathrm{MSE}}}{\partial z} &= J^\top 2(f - y)",
                r"J &= \operatorname{diag}(f) - f f^\top",
            )
        )
    if grad_marks:
        d_ce, d_mse = (
            rf"$\partial\mathcal{{L}}_{{\mathrm{{{loss}}}}}/\partial z_{{\text{{true}}}}$" for loss in ("CE", "MSE")
        )
        st.markdown(
            f"At your f ($f_{{\\text{{true}}}}$ = {fmt(c.f[k])}): {d_ce} = **{fmt(grad_marks[0][2])}**, "
            f"{d_mse} = **{fmt(grad_marks[1][2])}** (the markers)."
        )
    elif valid and k is None:
        st.caption("Your y is not one-hot, so there is no single true class to mark.")
    elif valid:
        st.caption(f"Your f_true = {fmt(c.f[k])} is at the edge of (0, 1): its logit is ±∞, so it is not marked.")
    layout.prose(
        "With cross-entropy the gradient for the true class is f_true − 1: the more wrong the model, the harder "
        "it is pushed (→ −1 as f_true → 0). Through the softmax, the MSE gradient carries a factor f_true and "
        "**vanishes** exactly when the model is confidently wrong, so learning stalls where it is needed most. "
        "Try the preset *Confident, wrong*. With n > 2 and an uneven rest, the MSE markers can sit off their curves."
    )
    layout.show_code(cross_entropy_grad_logits, mse_grad_logits)


def main() -> None:
    layout.header(
        "KL vs MSE → cross-entropy",
        "How wrong is a prediction f for the true label y? The lecture tries squared error first, then derives "
        "the loss from the KL divergence: it becomes the cross-entropy −log f_true. Edit y and f or pick a preset.",
    )
    layout.presets("ce", PRESETS)
    left, right = st.columns([3, 2], gap="large")
    with left:
        c = controls()
        found = problems(c)
    with right:
        vectors = [("y (label)", list(c.y), "event"), ("f (model)", list(c.f), "softmax")]
        layout.plot(charts.probability_bars(c.labels, vectors), key="ce_bars")
    for message in found:
        layout.error(message)
    if found:
        st.info("The numbers below appear once y and f are both probability vectors.")
        show_gradients(c, valid=False)
        return
    show_mse(c)
    show_kl(c)
    st.subheader("From KL to cross-entropy, step by step")
    layout.stepper("ce_step", derivation_steps(c))
    show_gradients(c, valid=True)


main()
