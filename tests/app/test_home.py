"""AppTest: the home page, step 1 of the lecture — the opening (regression or classification, the lecture's
examples word for word), the problem (x, Y), the approach f(x, θ) = P(y | x), and the five-step plan."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.data import CLASS_NAMES
from tests.app.primer_app import figures, latex, open_page, texts
from ui.navigation import PLAN, all_pages

REGRESSION = ["How much money will I make?", "How much rain tomorrow?", "How far away is this object?"]
CLASSIFICATION = ["Dog or muffin?", "Will it rain tomorrow, yes or no?", "What colour is this object?"]
STEPS = ["1 · Define the problem", "2 · Probability primer", "3 · The model f(x, θ)", "4 · The loss 𝓛", "5 · Learn θ"]


@pytest.fixture()
def at() -> AppTest:
    return open_page("home")


def markdowns(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_opening_regression_how_many_classification_which_one(at: AppTest) -> None:
    text = markdowns(at)
    assert "> *Many problems in ML can be reduced to regression or classification.* — the lecture" in text
    assert "**Regression** asks *how many?*\n\n" + "\n".join(f"- {q}" for q in REGRESSION) in text
    assert "**Classification** asks *which one?*\n\n" + "\n".join(f"- {q}" for q in CLASSIFICATION) in text
    assert at.subheader[0].value == "Regression or classification?"  # the page opens with it, before the plan
    first_step = text.index(f"#### {STEPS[0]}")
    assert (
        max(i for i, m in enumerate(text) if "How much money will I make?" in m or "Dog or muffin?" in m) < first_step
    )


def test_the_approach_f_equals_p_of_y_given_x(at: AppTest) -> None:
    tex = latex(at)
    assert r"f(x, \theta) = P(y \mid x)" in tex.splitlines()
    assert r"\text{e.g. } P(\text{boot} \mid \text{image of a boot})" in tex.splitlines()
    assert "class probabilities, not a single answer" in texts(at.markdown)
    assert r"f(x,\theta) = \operatorname{softmax}(Wx + b),\ \ \theta = (W, b)" in tex


def test_the_problem_x_a_28_by_28_image_and_y_the_ten_classes(at: AppTest) -> None:
    assert "Input x: a 28×28 grey image of a piece of clothing (Fashion-MNIST)" in texts(at.markdown)
    assert "Y is the set of the 10 classes" in texts(at.markdown)
    assert "Y = {" + ", ".join(CLASS_NAMES) + "}" in markdowns(at)
    grid = figures(at)["home_examples"]
    assert [a["text"] for a in grid["layout"]["annotations"]] == list(CLASS_NAMES)


def test_the_five_step_plan_in_order_with_every_page_linked(at: AppTest) -> None:
    assert [step for step, _, _ in PLAN] == STEPS
    text = markdowns(at)
    positions = [text.index(f"#### {step}") for step in STEPS]
    assert positions == sorted(positions)
    links = at.get("page_link")
    assert [link.proto.label for link in links] == [f"**{p.title}**" for p in all_pages()[1:]]
    captions = [c.value for c in at.caption]
    assert all(p.summary in captions for p in all_pages()[1:])


def test_cross_entropy_summary_says_squared_error_not_mse(at: AppTest) -> None:
    ce = next(c.value for c in at.caption if "0.32" in c.value)
    assert "Squared error 0.32 for f = [0.6, 0.4]" in ce and "MSE = 0.32" not in ce
    assert (0.6 - 1) ** 2 + (0.4 - 0) ** 2 == pytest.approx(0.32)  # a sum of squares; its mean is 0.16


def test_lecture_mode_keeps_the_opening_on_screen(at: AppTest) -> None:
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    outside = [m.value for m in at.main.markdown if m.value.startswith("**Regression**")]
    assert outside  # not folded away
    assert all(not e.markdown or "**Regression**" not in texts(e.markdown) for e in at.expander)
    assert r"f(x, \theta) = P(y \mid x)" in latex(at)
