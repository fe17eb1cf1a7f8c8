"""KL vs squared error → cross-entropy: how wrong is f for the label y, and why the loss is −Σ_k y_k log f_k."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.losses import (
    EXAMPLE_CLASSES,
    cross_entropy,
    cross_entropy_grad_logits,
    curves_vs_p_true,
    entropy,
    example_classes,
    kl_divergence,
    kl_split,
    mean_squared_error,
    mse,
    mse_grad_logits,
    true_class,
)
from core.numbers import fmt
from core.probability import check_distribution
from core.probability import normalise as normalise_distribution
from core.softmax import logits_of
from ui import charts, layout

N_MAX = len(EXAMPLE_CLASSES)
P_TRUE = np.linspace(0.001, 0.999, 999)
SHOWN_TERMS = 3  # sums over more classes show their y_k > 0 terms and fold the zeros
NAME_WIDTH = 100  # px: the class-name column of the y/f table
SUM_K = r"\sum_{k=1}^{n}"


def vector_preset(y: list[float], f: list[float]) -> dict[str, float]:
    """Widget values for a preset: n, every y_k and f_k (classes in the order of `example_classes`)."""
    values: dict[str, float] = {"ce_n": len(y)}
    values.update({f"ce_y{k + 1}": v for k, v in enumerate(y)})
    values.update({f"ce_f{k + 1}": v for k, v in enumerate(f)})
    return values


# 10 classes: a Shirt (y one-hot) that the model finds almost as much like a T-shirt/top (f = 0.45 vs 0.48).
#         Shirt  Bag   T-shirt Pullover Coat  Dress Trouser Sneaker Sandal Ankle boot
TEN = [0.45, 0.02, 0.48, 0.01, 0.01, 0.01, 0.02, 0.0, 0.0, 0.0]
PRESETS = {
    "f = [0.6, 0.4]": vector_preset([1.0, 0.0], [0.6, 0.4]),
    "Confident, wrong": vector_preset([1.0, 0.0], [0.01, 0.99]),
    "Nearly right": vector_preset([1.0, 0.0], [0.95, 0.05]),
    "Soft y": vector_preset([0.9, 0.1], [0.5, 0.5]),
    "10 classes": vector_preset([1.0] + [0.0] * (N_MAX - 1), TEN),
}


@dataclass(frozen=True)
class Controls:
    """One image x: its label y (a distribution, y_k = P(k | x)) and the prediction f over n classes."""

    n: int
    y: np.ndarray
    f: np.ndarray

    @property
    def labels(self) -> list[str]:
        """The class names, k = 1…n."""
        return example_classes(self.n)


def probability_input(container: DeltaGenerator, name: str, default: float) -> float:
    """One entry y_k or f_k (widget key ce_{name}); any number is accepted and checked afterwards."""
    return container.number_input(name, value=default, step=0.05, format="%.3f", key=f"ce_{name}",
                                  bind="query-params", label_visibility="collapsed", width="stretch")  # fmt: skip


def table_row(align: str) -> DeltaGenerator:
    """One row of the y/f table: class name | y_k | f_k side by side, also on a phone (columns would stack)."""
    return st.container(horizontal=True, wrap=False, gap="small", vertical_alignment=align)


def controls() -> Controls:
    """n, then one row per class k with its y_k and f_k."""
    n = st.slider("Number of classes n", 2, N_MAX, 2, key="ce_n", bind="query-params")
    st.caption(r"Row k: $y_k = P(k \mid x)$, the label as a distribution (one-hot: 1 on the true class); "
               r"$f_k = f_k(x, \theta)$, the model's prediction.")  # fmt: skip
    head = table_row("bottom")
    for text in ("", "**y**", "**f**"):
        head.markdown(text, width=NAME_WIDTH if not text else "stretch")
    y, f = [], []
    for k, name in enumerate(example_classes(n)):
        row = table_row("center")
        row.markdown(name, width=NAME_WIDTH)
        y.append(probability_input(row, f"y{k + 1}", 1.0 if k == 0 else 0.0))
        f.append(probability_input(row, f"f{k + 1}", [0.6, 0.4][k] if k < 2 else 0.0))
    return Controls(n=n, y=np.array(y), f=np.array(f))


def normalise(name: str, n: int) -> None:
    """Divide the entries of y or f (widget keys ce_{name}1…n) by their sum, so they add up to 1."""
    keys = [f"ce_{name}{k + 1}" for k in range(n)]
    for key, v in zip(keys, normalise_distribution([st.session_state[key] for key in keys]), strict=True):
        st.session_state[key] = float(v)


def problems(c: Controls) -> list[str]:
    """What makes y or f not a probability vector, with how to fix it; also offers Normalise when it helps."""
    found = []
    for name, v in (("y", c.y), ("f", c.f)):
        try:
            check_distribution(v, name)
        except ValueError as e:
            found.append(f"{e}. Edit the {name} column so every entry is in [0, 1] and they add up to 1.")
            if np.all(v >= 0) and v.sum() > 0:
                st.button(f"Normalise {name} (divide by its sum {fmt(v.sum())})", key=f"ce_norm_{name}",
                          on_click=normalise, args=(name, c.n))  # fmt: skip
    return found


def plugged(c: Controls, term: Callable[[float, float], str], keep: np.ndarray, fold: str) -> str:
    """Σ_k term(y_k, f_k) written out: every term for n ≤ 3, else the `keep` ones and the rest folded as `fold`."""
    idx = range(c.n) if c.n <= SHOWN_TERMS else np.flatnonzero(keep)
    text = " + ".join(term(c.y[k], c.f[k]) for k in idx)
    if len(idx) < c.n:
        text += rf" + \underbrace{{{fold}}}_{{\text{{{c.n - len(idx)} more}}}}"
    return text


def kl_terms(c: Controls, term: Callable[[float, float], str]) -> str:
    """A sum over y_k · (…) written out; the y_k = 0 terms are 0 and fold as 0 + ⋯ + 0."""
    return plugged(c, term, c.y > 0, r"0 + \dots + 0")


def aligned(*lines: str) -> str:
    """Lines of an equation aligned at their `&` (each long formula: symbols first, then the numbers)."""
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def tex(x: float) -> str:
    """A number in a formula."""
    return fmt(x, tex=True)


def show_squared_error(c: Controls) -> None:
    """The lecture's first try, written out with the live numbers: the sum 𝓛_SE and its mean (MSE)."""
    st.subheader("A first try: squared error")
    biggest = np.argsort(-(c.y + c.f), kind="stable")[:3]  # the classes that matter most, in lecture order
    keep = np.isin(np.arange(c.n), biggest)
    terms = plugged(c, lambda yk, fk: f"({fmt(fk)} - {fmt(yk)})^2", keep, r"\cdots")
    se, mean = mse(c.y, c.f), mean_squared_error(c.y, c.f)
    st.latex(
        aligned(
            rf"\mathcal{{L}}_{{\mathrm{{SE}}}}(f, y) &= {SUM_K} (f_k - y_k)^2",
            f"&= {terms} = {tex(se)}",
            rf"\mathrm{{MSE}} = \tfrac{{1}}{{n}} \mathcal{{L}}_{{\mathrm{{SE}}}} &= \tfrac{{{tex(se)}}}{{{c.n}}} "
            rf"= {tex(mean)}",
        )
    )
    st.markdown(
        f"The squared error 𝓛_SE = {fmt(se)} is a **sum** over the n = {c.n} classes. Its mean over the classes, "
        f"the *mean squared error* (MSE), is {fmt(se)} / {c.n} = {fmt(mean)}."
    )
    st.markdown("> *“In practice this does not work very well.”* — the gradients below show why.")


def show_kl(c: Controls) -> None:
    """KL divergence: definition, both directions with numbers, and H(P, Q) = H(P) + KL(P‖Q)."""
    st.subheader("KL divergence: how far is the prediction f from the label y?")
    st.latex(r"\mathrm{KL}(P, Q) = \sum_{k} P_k \log \frac{P_k}{Q_k} \;\geq 0, \quad = 0 \iff P = Q")
    st.latex(r"H(P) = -\sum_{k} P_k \log P_k, \qquad H(P, Q) = -\sum_{k} P_k \log Q_k")
    kl_yf, kl_fy = kl_divergence(c.y, c.f), kl_divergence(c.f, c.y)
    h_y, h_yf = entropy(c.y), cross_entropy(c.y, c.f)
    relation = "=" if kl_yf == kl_fy or np.isclose(kl_yf, kl_fy) else r"\neq"
    st.latex(rf"\mathrm{{KL}}(y \,\|\, f) = {tex(kl_yf)} \;{relation}\; \mathrm{{KL}}(f \,\|\, y) = {tex(kl_fy)}")
    st.latex(rf"H(y, f) = H(y) + \mathrm{{KL}}(y \,\|\, f):\quad {tex(h_yf)} = {tex(h_y)} + {tex(kl_yf)}")
    why = []
    if math.isinf(kl_yf):
        why.append("KL(y ‖ f) = ∞ because f gives probability 0 to a class that y gives probability: "
                   "y_k · log(y_k / 0) = ∞ for y_k > 0. ")  # fmt: skip
    if math.isinf(kl_fy):
        why.append("KL(f ‖ y) = ∞ because f puts probability on a class where y has none: "
                   "f_k · log(f_k / 0) = ∞ for f_k > 0. ")  # fmt: skip
    layout.prose(
        "KL is **not symmetric**: it measures the surprise of expecting Q when P is true. The lecture writes "
        "KL(P, Q); below it is KL(P ‖ Q), P first. "
        + ("Here " + "And ".join(why) if why else "")
        + "Try the preset *Soft y* for two finite, different values. H is the entropy, H(P, Q) the cross-entropy; "
        "natural log (nats), 0 · log 0 = 0."
    )
    layout.show_code(kl_divergence, cross_entropy, entropy)


def derivation_steps(c: Controls) -> list[tuple[str, str]]:
    """The lecture's derivation KL(y‖f) → cross-entropy → min over θ → all N images, with the live numbers."""
    kl, ce = kl_divergence(c.y, c.f), cross_entropy(c.y, c.f)
    sum_y_log_y, sum_y_log_f = kl_split(c.y, c.f)
    k = true_class(c.y)
    names = c.labels
    infinite = math.isinf(ce)
    soft_terms = kl_terms(c, lambda yk, fk: rf"{fmt(yk)} \cdot \log {fmt(fk)}")
    log_zero = (
        r" Here f gives probability 0 to a class with $y_k > 0$: $\log 0 = -\infty$, so "
        rf"$\sum_k y_k \log f_k = -\infty$ and $\mathrm{{KL}} = {tex(sum_y_log_y)} - (-\infty) = +\infty$."
        if infinite
        else ""
    )
    if k is not None:  # one-hot y: only the true class survives
        cross_text = (f"What is left is the **cross-entropy** loss. y is one-hot on {names[k]}, so only that term "
                      "survives: f_true is the prediction for the true class.")  # fmt: skip
        cross = (rf"\mathcal{{L}}(\theta) &= -{SUM_K} y_k \log f_k(x, \theta) = -\log f_{{\text{{true}}}}(x, \theta)",
                 rf"&= -\log {fmt(c.f[k])} = {tex(ce)}")  # fmt: skip
        argmin = (rf"\theta^* = \arg\min_\theta \; -{SUM_K} y_k \log f_k(x, \theta) "
                  r"= \arg\min_\theta \; -\log f_{\text{true}}(x, \theta)")  # fmt: skip
        one_hot_text = (f"This image is one-hot on {names[k]}: its term is "
                        rf"$-\log f_{{\text{{true}}}}(x, \theta) = -\log {fmt(c.f[k])} = {tex(ce)}$.")  # fmt: skip
    else:
        cross_text = ("What is left is the **cross-entropy** loss. This y is not one-hot, so every class with "
                      "y_k > 0 contributes.")  # fmt: skip
        cross = (rf"\mathcal{{L}}(\theta) &= -{SUM_K} y_k \log f_k(x, \theta)", f"&= -({soft_terms}) = {tex(ce)}")
        argmin = rf"\theta^* = \arg\min_\theta \; -{SUM_K} y_k \log f_k(x, \theta)"
        one_hot_text = ("This image's y is not one-hot, so this form does not apply to it: its term stays the "
                        f"inner sum of step 7, ${tex(ce)}$.")  # fmt: skip
    if infinite:
        cross_text += (" Here f gives probability 0 to a class that y gives probability, and "
                       r"$-\log 0 = +\infty$: the loss is infinite.")  # fmt: skip
    plug_text = (
        r"Plug the label y and the prediction f of one image x into the KL divergence. $y_k = P(k \mid x)$ and "
        r"$f_k(x, \theta)$ are the probabilities of class k: f is indexed by class, the fix the lecture's own note "
        r"“should be $f(y_i \mid x, \theta)$” asks for. A term with $y_k = 0$ is 0 "
        r"($0 \cdot \log \frac{0}{q} = 0$, also for $q = 0$); for $y_k > 0$, $y_k \log \frac{y_k}{0} = +\infty$."
    )
    plug = aligned(
        rf"\mathrm{{KL}}(y \,\|\, f) &= {SUM_K} y_k \log \frac{{y_k}}{{f_k}}",
        "&= " + kl_terms(c, lambda yk, fk: rf"{fmt(yk)} \cdot \log \frac{{{fmt(yk)}}}{{{fmt(fk)}}}") + f" = {tex(kl)}",
    )

    def log_rule_term(yk: float, fk: float) -> str:
        return rf"{fmt(yk)} \cdot (\log {fmt(yk)} - \log {fmt(fk)})" if yk > 0 else "0"

    log_rule = aligned(rf"&= {SUM_K} y_k \left(\log y_k - \log f_k\right)", "&= " + kl_terms(c, log_rule_term))
    split = aligned(
        rf"&= {SUM_K} y_k \log y_k \;-\; {SUM_K} y_k \log f_k",
        rf"&= {tex(sum_y_log_y)} - {fmt(sum_y_log_f, tex=True, paren=True)} = {tex(kl)}",
    )
    constant_text = (
        "The first term depends only on the label y, not on the parameters θ: a constant we can drop "
        "(it is −H(y); with a one-hot y it is exactly 0, since 1 · log 1 = 0 and 0 · log 0 = 0)."
    )
    constant = rf"{SUM_K} y_k \log y_k = {tex(sum_y_log_y)} \quad \text{{(independent of }} \theta)"
    all_text = (
        r"Over all N training images $x_i$, $i = 1, \dots, N$, as the lecture writes it: the inner sum runs over the "
        r"classes $y_i \in Y$; $P(y_i \mid x_i)$ is image i's label (the y above) and $f_{y_i}(x_i, \theta)$ the "
        r"model's probability of class $y_i$ (f indexed by class, as in step 1). For this image the inner sum is its "
        f"cross-entropy, so it adds ${tex(ce)}$ to the sum"
        + (r": one such image makes the whole sum $+\infty$." if infinite else ".")
    )
    double_sum = (
        r"\theta^* = \arg\min_\theta \Big[ -\sum_{i=1}^{N} \sum_{y_i \in Y} P(y_i \mid x_i) "
        r"\log f_{y_i}(x_i, \theta) \Big]"
    )
    one_hot_text = (
        r"With one-hot labels, $P(y_i \mid x_i)$ is 1 for the true class of image i and 0 for every other class, "
        r"so one term per image survives; $y_i$ now names that true class. " + one_hot_text
    )
    one_hot = r"\theta^* = \arg\min_\theta \; -\sum_{i=1}^{N} \log f_{y_i}(x_i, \theta)"
    return [
        (plug_text, plug),
        ("Log rule: $\\log \\frac{a}{b} = \\log a - \\log b$. The terms with $y_k = 0$ stay 0.", log_rule),
        ("Split the sum in two." + log_zero, split),
        (constant_text, constant),
        (cross_text, aligned(*cross)),
        ("Learning means choosing θ to minimise it.", argmin),
        (all_text, double_sum),
        (one_hot_text, one_hot),
    ]


def show_gradients(c: Controls, valid: bool) -> None:
    """Loss and ∂𝓛/∂z_true against f_true for cross-entropy and squared error (one-hot y), a valid f marked."""
    st.subheader("Why not squared error? Its gradient vanishes when the model is confidently wrong")
    rest = "f = [f_true, 1 − f_true]" if c.n == 2 else f"the other {c.n - 1} classes share 1 − f_true equally"
    st.markdown(
        "For a one-hot y: the loss and its gradient with respect to the true class's logit $z_{\\text{true}}$, "
        f"against $f_{{\\text{{true}}}}$, the predicted probability of the true class ({rest})."
    )
    curves = curves_vs_p_true(P_TRUE, c.n)
    k = true_class(c.y) if valid else None
    loss_marks, grad_marks = [], []
    if k is not None and 0 < c.f[k] < 1:
        z = logits_of(c.f)
        ce_grad, se_grad = cross_entropy_grad_logits(c.y, z)[k], mse_grad_logits(c.y, z)[k]
        loss_marks = [("your f: CE", c.f[k], cross_entropy(c.y, c.f), "cross_entropy"),
                      ("your f: SE", c.f[k], mse(c.y, c.f), "mse")]  # fmt: skip
        grad_marks = [("your f: CE", c.f[k], ce_grad, "cross_entropy"), ("your f: SE", c.f[k], se_grad, "mse")]
    top = max([5.0] + [m[2] + 0.3 for m in loss_marks])
    left, right = st.columns(2)
    with left:
        lines = [("cross-entropy", curves["ce"], "cross_entropy"), ("squared error", curves["mse"], "mse")]
        fig = charts.p_true_curves(list(P_TRUE), lines, loss_marks, "loss 𝓛", (0.0, top))
        layout.plot(fig, key="ce_loss_curves")
        st.latex(
            aligned(
                r"\mathcal{L}_{\mathrm{CE}} &= -\log f_{\text{true}} \quad (y \text{ one-hot})",
                rf"\mathcal{{L}}_{{\mathrm{{SE}}}} &= {SUM_K} (f_k - y_k)^2",
            )
        )
    with right:
        grads = [("cross-entropy", curves["ce_grad"], "cross_entropy"), ("squared error", curves["mse_grad"], "mse")]
        fig = charts.p_true_curves(list(P_TRUE), grads, grad_marks, "∂𝓛/∂z_true", (-1.05, 0.05))
        layout.plot(fig, key="ce_grad_curves")
        st.latex(
            aligned(
                r"\frac{\partial \mathcal{L}_{\mathrm{CE}}}{\partial z} &= f - y",
                r"\frac{\partial \mathcal{L}_{\mathrm{SE}}}{\partial z} &= J^\top 2(f - y)",
                r"J &= \operatorname{diag}(f) - f f^\top",
            )
        )
    if grad_marks:
        d_ce, d_se = (
            rf"$\partial\mathcal{{L}}_{{\mathrm{{{loss}}}}}/\partial z_{{\text{{true}}}}$" for loss in ("CE", "SE")
        )
        st.markdown(
            f"At your f ($f_{{\\text{{true}}}}$ = {fmt(c.f[k])}, the prediction for {c.labels[k]}): "
            f"{d_ce} = **{fmt(grad_marks[0][2])}**, {d_se} = **{fmt(grad_marks[1][2])}** (the markers)."
        )
    elif valid and k is None:
        st.caption(
            "Your y is not one-hot, so it has no single true class and no point on these one-hot curves. "
            f"For your y: 𝓛_CE = H(y, f) = {fmt(cross_entropy(c.y, c.f))}, 𝓛_SE = {fmt(mse(c.y, c.f))}."
        )
    elif valid:
        st.caption(
            f"Your f_true = {fmt(c.f[k])} is not the softmax of any finite logits (softmax outputs lie strictly "
            "between 0 and 1), so it has no point on these curves."
        )
    layout.prose(
        "For a one-hot y, the cross-entropy gradient for the true class is f_true − 1: the more wrong the model, "
        "the harder it is pushed (→ −1 as f_true → 0). Through the softmax, the squared-error gradient carries a "
        "factor f_true and **vanishes** when the model is confidently wrong (f_true → 0), so learning stalls where "
        "it is needed most. Try the preset *Confident, wrong*. With n > 2 and an uneven rest, the squared-error "
        "markers can sit off their curves."
    )
    layout.show_code(cross_entropy_grad_logits, mse_grad_logits)


def main() -> None:
    layout.header(
        "KL vs squared error → cross-entropy",
        "How wrong is a prediction f for the true label y? The lecture tries the squared error first, then derives "
        "the loss from the KL divergence: the cross-entropy −Σ_k y_k log f_k, which for a one-hot y is −log f_true. "
        "Edit y and f or pick a preset.",
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
    show_squared_error(c)
    show_kl(c)
    st.subheader("From KL to cross-entropy, step by step")
    layout.stepper("ce_step", derivation_steps(c))
    show_gradients(c, valid=True)


main()
