"""Classify an upload: a photo of clothing → the dataset's preprocessing → f(x, θ) = softmax(Wx + b), and why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core.data import CLASS_NAMES
from core.explain import Explanation, explain, unlike_dataset
from core.imaging import MAX_UPLOAD_MB, UPLOAD_TYPES, ImageError, Preprocessed, to_fashion_mnist
from core.model import SoftmaxRegression
from core.numbers import fmt
from ui import charts, layout
from ui import model as models
from ui.data import dataset, get_data_panel

INPUTS = {"upload": "Your photo", "test": "A test image"}  # the labels are what the URL holds
PREDICTED, RUNNER_UP = "predicted", "runner-up"
N_TEST = 10_000


@dataclass(frozen=True, eq=False)
class Picked:
    """The 28×28 image to classify, how it was made (an upload's steps) and its true class (a test image's)."""

    image: np.ndarray
    name: str
    prepared: Preprocessed | None = None
    true: int | None = None


@st.cache_data(max_entries=8, show_spinner="Preprocessing the photo …")
def prepare(file_id: str, _data: bytes) -> Preprocessed | str:
    """The upload's preprocessing (cached per uploaded file), or the message saying why it is unusable."""
    try:
        return to_fashion_mnist(_data)
    except ImageError as exc:
        return str(exc)


def show_source(source: str) -> None:
    """Callback: classify the photo or the test image from now on."""
    st.session_state["cls_src"] = source


def show_test_image(candidates: np.ndarray) -> None:
    """Callback: a random test image among ``candidates`` (indices), classified from now on."""
    if len(candidates):
        st.session_state["cls_index"] = int(np.random.default_rng().choice(candidates))
    show_source("test")


def photo_input() -> object | None:
    """The file uploader and, behind a toggle (so the browser asks for the camera only when wanted), the camera."""
    photo = st.file_uploader(
        f"Upload a photo of one piece of clothing (up to {MAX_UPLOAD_MB} MB)",
        type=list(UPLOAD_TYPES), key="cls_upload", on_change=show_source, args=("upload",),
        max_upload_size=MAX_UPLOAD_MB,
        help="Any PNG, JPEG, WebP, GIF, BMP or TIFF. Best: one item, whole, on a plain background. "
        "The photo is processed in memory and never stored.",
    )  # fmt: skip
    if st.toggle("📷 Use the camera", key="cls_camera", bind="query-params", on_change=show_source, args=("upload",)):
        shot = st.camera_input("Take a photo of one piece of clothing", key="cls_shot", on_change=show_source,
                               args=("upload",))  # fmt: skip
        return shot if shot is not None else photo
    return photo


def test_picker(model: SoftmaxRegression) -> int | None:
    """Test image number (bound to the URL), a random one or a random mistake of the model; its true class."""
    test, _ = dataset("test")
    if test is None:
        get_data_panel("cls_test", "Picking a test image")
        return None
    labels = test[1]
    index = st.number_input("Test image number (0 – 9 999)", 0, N_TEST - 1, 0, step=1, key="cls_index",
                            bind="query-params", on_change=show_source, args=("test",))  # fmt: skip
    predicted = models.test_predictions(model)
    mistakes = np.flatnonzero(predicted != labels) if predicted is not None else np.arange(0)
    buttons = st.container(horizontal=True)
    buttons.button("🎲 Random test image", key="cls_random", on_click=show_test_image, args=(np.arange(N_TEST),))
    buttons.button("🎯 Random mistake", key="cls_mistake", on_click=show_test_image, args=(mistakes,),
                   disabled=not len(mistakes), help="A random test image this model gets wrong.")  # fmt: skip
    st.markdown(f"Test image #{int(index)}: true class **{CLASS_NAMES[int(labels[int(index)])]}**")
    return int(index)


def pick_image(model: SoftmaxRegression) -> Picked | None:
    """Read the inputs; the picked image, or None (with a message) when there is nothing usable to classify."""
    source = st.segmented_control("Classify", list(INPUTS), default="test", required=True, format_func=INPUTS.get,
                                  key="cls_src", bind="query-params")  # fmt: skip
    left, right = st.columns(2, gap="large")
    with left:
        photo = photo_input()
    with right:
        index = test_picker(model)
    if source == "test":
        if index is None:
            return None
        test, _ = dataset("test")
        return Picked(test[0][index], f"test image #{index}", true=int(test[1][index]))
    if photo is None:
        st.info("Upload a photo (or switch on the camera) to classify it, or pick a test image.", icon="📁")
        return None
    prepared = prepare(photo.file_id, photo.getvalue())
    if isinstance(prepared, str):
        layout.error(f"{photo.name} cannot be classified: {prepared} Or pick a test image instead.")
        return None
    return Picked(prepared.image, photo.name, prepared=prepared)


def show_preprocessing(picked: Picked, model: SoftmaxRegression) -> None:
    """The steps from the upload to x, side by side, and the model's own scaling as the last one."""
    x = model.preprocess(picked.image).reshape(28, 28)
    if picked.prepared is None:
        fig = charts.preprocessing_steps([("image (28×28)", picked.image)], x, "x")
        with st.columns(2)[0]:
            layout.plot(fig, key="cls_steps")
    else:
        p = picked.prepared
        layout.plot(charts.preprocessing_steps(list(p.steps), x, "x"), key="cls_steps")
        width, height = p.size
        decoded_height, decoded_width = p.steps[0][1].shape[:2]
        polarity = "dark object on light: negated, as the dataset's were" if p.inverted else "light object: kept"
        st.caption(f"{picked.name}: {p.format}, {width} × {height} px, decoded at {decoded_width} × {decoded_height} "
                   f"· background grey level {fmt(p.background, 3)} ({polarity}) · cropped to columns "
                   f"{p.box[0]}–{p.box[2]}, rows {p.box[1]}–{p.box[3]} · longest edge to 28, centred on black")  # fmt: skip
    st.latex(
        rf"x = \frac{{\text{{image}}/255 - \mu}}{{\sigma}} = \frac{{\text{{image}}/255 - {fmt(model.mean, tex=True)}}}"
        rf"{{{fmt(model.std, tex=True)}}}"
    )
    st.caption(
        f"μ and σ: the mean and standard deviation of the training pixels (image/255). x runs from "
        f"{fmt(-model.mean / model.std)} (black) to {fmt((1 - model.mean) / model.std)} (white), 784 numbers."
    )
    layout.prose(
        "Fashion-MNIST was made from shop photos of products on white: trim the background, longest edge to 28 "
        "pixels, centre, negate (bright object on black), 8-bit grey. The same steps turn your photo into a "
        "28×28 image; then the model standardises each pixel with the training set's mean μ and standard "
        "deviation σ — the x of f(x, θ)."
    )


def show_answer(e: Explanation, picked: Picked) -> None:
    """f = softmax(z/T) and the logits z per class, the verdict, and a calm note if x looks unlike the dataset."""
    left, right = st.columns(2, gap="large")
    temperature = left.slider("Temperature T", 0.05, 10.0, 1.0, step=0.05, key="cls_T", bind="query-params",
                              help="f = softmax(z / T): small T sharpens f towards the argmax, large T flattens "
                              "it; the argmax never changes.")  # fmt: skip
    f = e.f(temperature)
    k = e.predicted
    with right:
        st.markdown(f"The model says **{CLASS_NAMES[k]}** with probability **{fmt(f[k])}**.")
        if picked.true == k:
            st.success(f"Right: {picked.name} is a {CLASS_NAMES[k]}.", icon="✅")
        elif picked.true is not None:
            st.error(f"Wrong: {picked.name} is a {CLASS_NAMES[picked.true]} (f = {fmt(f[picked.true])} for it).",
                     icon="❌")  # fmt: skip
    layout.plot(charts.class_scores(list(CLASS_NAMES), f.tolist(), e.z.tolist(), picked.true), key="cls_scores")
    z_k, t = fmt(e.z[k], tex=True), fmt(temperature, tex=True)
    st.latex(
        rf"f_{{\text{{{CLASS_NAMES[k]}}}}} = \frac{{e^{{z_k/T}}}}{{\sum_j e^{{z_j/T}}}} = "
        rf"\frac{{e^{{{z_k}/{t}}}}}{{\sum_j e^{{z_j/{t}}}}} = {fmt(f[k], tex=True)}"
    )
    st.markdown(f"$\\sum_k f_k$ = {' + '.join(fmt(v) for v in f)} = **{fmt(f.sum())}**")
    reasons = unlike_dataset(e.f(), picked.prepared)
    if reasons:
        st.info(
            "**This picture may look quite unlike Fashion-MNIST**, so take the answer with a pinch of salt: "
            + "; ".join(reasons) + ". The model has only ever seen one item at a time, whole, centred, bright on "
            "black, and it must pick one of its 10 classes whatever it is shown.",
            icon="🧭",
        )  # fmt: skip


def class_choice(label: str, key: str, auto: str, resolved: int) -> int:
    """A class picker whose first option, ``auto``, follows the answer (``resolved``: the predicted class or the
    runner-up); the labels stay fixed so that the URL does too."""
    choice = st.selectbox(label, [auto, *CLASS_NAMES], key=key, bind="query-params",
                          format_func=lambda o: f"the {o} class" if o == auto else o)  # fmt: skip
    return resolved if choice in (None, auto) else CLASS_NAMES.index(choice)


def show_why(e: Explanation, picked: Picked, model: SoftmaxRegression) -> None:
    """W_k beside the image, the maps W_k ⊙ x and W_j ⊙ x and their difference, and z_k − z_j in numbers."""
    c1, c2 = st.columns(2)
    with c1:
        k = class_choice("Explain class k", "cls_k", PREDICTED, e.predicted)
    with c2:
        j = class_choice("… against class j", "cls_j", RUNNER_UP, e.runner_up(k))
    gap = e.gap(k, j)
    name_k, name_j = CLASS_NAMES[k], CLASS_NAMES[j]
    panels = [
        (f"template Wₖ<br>{name_k}", e.template(k), "weights"),
        (f"Wₖ ⊙ x<br>{name_k}", e.contribution(k), "contribution"),
        ("the image<br>28×28", picked.image, "image"),
        (f"template Wⱼ<br>{name_j}", e.template(j), "weights"),
        (f"Wⱼ ⊙ x<br>{name_j}", e.contribution(j), "contribution"),
        ("(Wₖ − Wⱼ) ⊙ x<br>k rather than j", gap.difference, "contribution"),
    ]
    layout.plot(charts.contribution_maps(panels), key="cls_maps")
    up, down = charts.WEIGHT_COLOURS
    st.markdown(
        f"Rows: class k = **{name_k}**, class j = **{name_j}**. In $W \\odot x$ **{up}** pixels push the "
        f"logit up and **{down}** ones push it down; in the difference map {up} pixels favour {name_k}, "
        f"{down} ones {name_j}. The templates have their own colour scale."
    )
    layout.prose(
        f"Each logit is a sum over the 784 pixels: $z_k = \\sum_i W_{{k,i}}\\,x_i + b_k$. The map $W_k \\odot x$ "
        f"shows each term $W_{{k,i}}\\,x_i$. The template $W_k$ is what class *{name_k}* looks for: where it meets "
        f"bright pixels of the image (large $x_i$) the product is large. The black background is not 0 after "
        f"standardising: there $x_i = -\\mu/\\sigma = {fmt(-model.mean / model.std, tex=True)}$, so the sign flips "
        f"and a "
        f"background pixel where $W_{{k,i}} < 0$ pushes $z_k$ up. Softmax only compares logits, so *why {name_k} "
        f"and not {name_j}?* is answered by the difference map, whose sum plus $b_k - b_j$ is $z_k - z_j$."
    )
    if k == j:
        st.info("k and j are the same class: pick two different classes to compare them.", icon="ℹ️")
    rows = [f"k = {name_k}", f"j = {name_j}", "k − j"]
    pixel_sums = [e.contribution(k).sum(), e.contribution(j).sum(), gap.pixels]
    layout.table(pd.DataFrame({
        "Σᵢ W·ᵢ xᵢ (sum of the map)": [fmt(v) for v in pixel_sums],
        "b": [fmt(v) for v in (e.b[k], e.b[j], gap.bias)],
        "z = Σᵢ W·ᵢ xᵢ + b": [fmt(v) for v in (e.z[k], e.z[j], gap.total)],
    }, index=rows))  # fmt: skip
    st.latex(
        rf"\begin{{aligned}} z_k - z_j &= \sum_{{i=1}}^{{784}} (W_{{k,i}} - W_{{j,i}})\,x_i + (b_k - b_j) \\"
        rf" &= {fmt(gap.pixels)} {'+' if gap.bias >= 0 else '-'} {fmt(abs(gap.bias))} = {fmt(gap.total)} \\"
        rf" z_k - z_j &= {fmt(gap.z_k)} - {fmt(gap.z_j, paren=True)} = {fmt(gap.z_k - gap.z_j)} \end{{aligned}}"
    )
    layout.show_code(Explanation.build, Explanation.gap)


def main() -> None:
    layout.header(
        "Classify an upload",
        "Upload a photo of a piece of clothing (or take one, or pick a test image). It goes through the same "
        "preprocessing as the dataset's images, then the model $f(x, \\theta) = \\operatorname{softmax}(Wx + b)$ "
        "gives a probability for each of the 10 classes — and the maps below show which pixels pushed it there.",
    )
    st.latex(r"f(x,\theta) = \operatorname{softmax}\!\Big(\frac{z}{T}\Big), \qquad z = Wx + b")
    model = models.choose()
    if model is None:
        return
    st.subheader("1 · The image")
    picked = pick_image(model)
    if picked is None:
        return
    st.subheader("2 · The dataset's preprocessing, step by step")
    show_preprocessing(picked, model)
    e = explain(model, picked.image)
    st.subheader("3 · The answer: f = softmax(z / T)")
    show_answer(e, picked)
    st.subheader("4 · Why? Which pixels pushed z")
    layout.section(show_why, e, picked, model)


main()
