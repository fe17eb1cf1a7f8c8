"""The app's pages in lecture order, grouped by the lecture's five-step plan."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageInfo:
    """One page: its file under app_pages/, title, emoji icon and a one-line summary for the home page."""

    path: str
    title: str
    icon: str
    summary: str

    @property
    def url_path(self) -> str:
        """The URL path Streamlit gives this page: the file's stem, or "" for the default (home) page."""
        stem = self.path.rsplit("/", 1)[-1].removesuffix(".py")
        return "" if stem == "home" else stem


HOME = PageInfo("app_pages/home.py", "Home", "🏠", "The lecture's plan and where each step lives.")

# (step of the lecture's plan, what that step asks, its pages)
PLAN: list[tuple[str, str, list[PageInfo]]] = [
    (
        "1 · Define the problem",
        (
            "Input x: a 28×28 grey image of a piece of clothing (Fashion-MNIST). Output: its class y ∈ Y, "
            "where Y is the set of the 10 classes. We want a model that says how likely each class is."
        ),
        [],
    ),
    (
        "2 · Probability primer",
        "The language for 'how likely': sample spaces, events, the rules, conditioning.",
        [
            PageInfo(
                "app_pages/sample_spaces.py",
                "Sample spaces & events",
                "🎲",
                "Experiments, outcomes, S, events as subsets; frequencies converge to probabilities.",
            ),
            PageInfo(
                "app_pages/probability_rules.py",
                "Probability rules",
                "📏",
                "The axioms, when P(A∪B)=P(A)+P(B) and P(A∩B)=P(A)P(B) hold, random variables.",
            ),
            PageInfo(
                "app_pages/conditional.py",
                "Conditional probability",
                "🌦️",
                "P(A|B) = P(A∩B)/P(B), as areas, as a formula and as Monte-Carlo counts.",
            ),
        ],
    ),
    (
        "3 · The model f(x, θ)",
        (
            "Start from a linear model, as the lecture does: scores z = Wx + b. softmax turns them into "
            "probabilities: f(x, θ) = softmax(Wx + b)."
        ),
        [
            PageInfo(
                "app_pages/softmax.py",
                "Softmax & the simplex",
                "🔺",
                "A real image's scores z = Wx + b → probabilities on the simplex; temperature, shift invariance, "
                "stability.",
            ),
        ],
    ),
    (
        "4 · The loss 𝓛",
        "How wrong is f for the true label y? Why KL divergence, and why it becomes cross-entropy.",
        [
            PageInfo(
                "app_pages/cross_entropy.py",
                "KL vs squared error → cross-entropy",
                "📉",
                "Squared error 0.32 for f = [0.6, 0.4]; the derivation of cross-entropy; vanishing gradients.",
            ),
        ],
    ),
    (
        "5 · Learn θ",
        "There is no closed-form solution: we need iterative solvers, such as gradient descent.",
        [
            PageInfo(
                "app_pages/training.py",
                "Live training",
                "🏋️",
                "Gradient descent on Fashion-MNIST, live: curves, W as images, confusion matrix, squared error vs CE.",
            ),
            PageInfo(
                "app_pages/classify.py",
                "Classify an upload",
                "📷",
                "Your photo → the dataset's preprocessing → f = softmax(Wx + b), and the pixels behind the answer.",
            ),
        ],
    ),
]


def all_pages() -> list[PageInfo]:
    """Every page in lecture order, home first."""
    return [HOME] + [page for _, _, pages in PLAN for page in pages]


_built: dict[str, st.Page] = {}  # path → the page's st.Page, built once per process


def streamlit_pages() -> dict[str, st.Page]:
    """Each page's `st.Page` by path, home the default. Built once per process (`st.Page` resolves and checks its
    file, which every run of every session would repeat) and copied for each run: `st.navigation` marks the copy
    it returns as the page this run may run."""
    if not _built:
        _built.update({p.path: st.Page(p.path, title=p.title, icon=p.icon, default=i == 0)
                       for i, p in enumerate(all_pages())})  # fmt: skip
    return {path: copy.copy(page) for path, page in _built.items()}
