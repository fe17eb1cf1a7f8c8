"""The lecture as data: its five-step plan, the path a lecturer walks (stops), and the questions it asks the room.

A stop is one slide's worth of the app: a page, the values of that page's controls (widget keys → values, as
the widgets hold them, not as the URL writes them), and the one line the slide says. Stops follow the
lecture's order: the page table of DESIGN.md, and within a page the lecture's own sequence. A question is a
predict-then-reveal prompt with 2–4 choices, the answer and the demonstration that settles it; a stop asks at
most one. Nothing here knows Streamlit: lecture mode, the clicker keys and the QR code read this module, and
a later class-wide poll can reuse the questions as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# The lecture's plan, recalled between its sections.
PLAN = ("Define the problem", "Probability primer", "Model f", "Loss 𝓛", "Learn θ")

HOME = "app_pages/home.py"
SAMPLE_SPACES = "app_pages/sample_spaces.py"
RULES = "app_pages/probability_rules.py"
CONDITIONAL = "app_pages/conditional.py"
SOFTMAX = "app_pages/softmax.py"
CROSS_ENTROPY = "app_pages/cross_entropy.py"
TRAINING = "app_pages/training.py"
CLASSIFY = "app_pages/classify.py"
PLAN_STEP_OF_PAGE = {HOME: 0, SAMPLE_SPACES: 1, RULES: 1, CONDITIONAL: 1, SOFTMAX: 2, CROSS_ENTROPY: 3, TRAINING: 4,
                     CLASSIFY: 4}  # fmt: skip


@dataclass(frozen=True)
class Question:
    """A predict-then-reveal question: the prompt, 2–4 choices, the index of the right one, and why."""

    id: str
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str

    def __post_init__(self) -> None:
        if not 2 <= len(self.choices) <= 4:
            raise ValueError(f"question {self.id!r} has {len(self.choices)} choices; 2 to 4 are allowed")
        if not 0 <= self.answer < len(self.choices):
            raise ValueError(f"question {self.id!r}: answer {self.answer} is not one of its choices")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError(f"question {self.id!r} repeats a choice")

    def is_right(self, choice: int) -> bool:
        """Whether choice (an index into `choices`) is the answer."""
        return choice == self.answer


@dataclass(frozen=True)
class Stop:
    """One stop of the path: a page, the values its controls take there, and the slide's line."""

    page: str
    line: str
    values: Mapping[str, Any] = field(default_factory=dict)
    question: str | None = None  # the id of the question asked here
    section: str | None = None  # the start of the heading (or "Step k.") the slide is about, scrolled into view

    def __post_init__(self) -> None:
        if self.page not in PLAN_STEP_OF_PAGE:
            raise ValueError(f"stop {self.line!r}: {self.page} is not a page of the lecture")
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    @property
    def plan_step(self) -> int:
        """Which step of the lecture's plan (0–4) this stop belongs to."""
        return PLAN_STEP_OF_PAGE[self.page]


QUESTIONS: Mapping[str, Question] = MappingProxyType({q.id: q for q in (
    Question(
        "union_rain_sun",
        "P(Rain) = 0.05 and P(Sun) = 0.4. Is P(Rain ∪ Sun) = 0.05 + 0.4 = 0.45?",
        ("Yes, always", "Only if P(Rain ∩ Sun) = 0", "No, never"),
        1,
        "P(A ∪ B) = P(A) + P(B) − P(A ∩ B). A sun-shower is rain and sun on one walk, so P(Rain ∩ Sun) > 0 and "
        "the plain sum counts it twice: with P(Rain ∩ Sun) = 0.02 below, P(Rain ∪ Sun) = 0.43.",
    ),
    Question(
        "heads_and_tails",
        "One flip of a fair coin. Is P(Heads ∩ Tails) = P(Heads) · P(Tails) = 0.25?",
        ("Yes: ½ · ½ = 0.25", "No: it is 0", "It depends on the coin"),
        1,
        "One flip cannot land both ways, so Heads ∩ Tails = ∅ and P(Heads ∩ Tails) = 0 ≠ 0.25. The product rule "
        "needs independent events; heads and tails on one flip exclude each other.",
    ),
    Question(
        "why_probabilities",
        "Why does the model output probabilities instead of a one-hot vector?",
        ("They are faster to compute", "They express how uncertain the model is",
         "A one-hot vector cannot be stored"),
        1,
        "An ambiguous image (a Shirt that looks like a T-shirt/top) gets f ≈ 0.48 / 0.44 for the two: the "
        "probabilities say the model is unsure; a one-hot answer hides it, and the loss needs them to tell "
        "almost right from confidently wrong.",
    ),
    Question(
        "temperature_to_zero",
        "As the temperature T → 0, where does f = softmax(z / T) go on the triangle?",
        ("To the centre (⅓, ⅓, ⅓)", "To the corner of the largest logit", "It stays where it is"),
        1,
        "Dividing by a small T stretches the gaps between logits, so the largest one takes all the "
        "probability: f approaches the one-hot corner of the argmax (and T → ∞ flattens it to the centre).",
    ),
    Question(
        "squared_error",
        "f = [P(Shirt | x), P(Bag | x)] = [0.6, 0.4] and y = [1, 0]. What is (0.6 − 1)² + (0.4 − 0)²?",
        ("0.16", "0.32", "0.4", "0.52"),
        1,
        "(−0.4)² + 0.4² = 0.16 + 0.16 = 0.32: a sum of squared errors; its mean over the two classes is 0.16.",
    ),
    Question(
        "se_vs_ce",
        "From a confidently wrong start, which loss recovers first: squared error or cross-entropy?",
        ("Squared error", "Cross-entropy", "Both at the same speed"),
        1,
        "Through the softmax the squared error's gradient is Jᵀ · 2(f − y) with J = diag(f) − f fᵀ, which is "
        "close to 0 when f is close to one-hot, also when it is confidently wrong; cross-entropy's gradient f − y "
        "keeps pushing there. From σ₀ = 0.3 the run shows squared error trailing.",
    ),
    Question(
        "predict_image",
        "Test image #0 is an ankle boot. What will the default model say about it?",
        ("Ankle boot", "Sneaker", "Sandal", "Bag"),
        0,
        "The default model gives Ankle boot the largest probability; the maps W_k ⊙ x below show which pixels "
        "pushed z_Ankle boot up and which pulled it down.",
    ),
)})  # fmt: skip

# Control values that several stops share: the lecture's loss example, its logits, its conditional example.
SHIRT_OR_BAG = {"ce_n": 2, "ce_y1": 1.0, "ce_y2": 0.0, "ce_f1": 0.6, "ce_f2": 0.4}
LOGITS_2_1_01 = {"softmax_n": 3, "softmax_T": 1.0, "softmax_c": 0.0, "softmax_z1": 2.0, "softmax_z2": 1.0,
                 "softmax_z3": 0.1}  # fmt: skip
RAIN_GIVEN_CLOUD = {"cond_mode": "marginals", "cond_a": "Rain", "cond_b": "Cloud", "cond_pa": 0.25, "cond_pb": 0.4,
                    "cond_pab": 0.2}  # fmt: skip

STOPS: tuple[Stop, ...] = (
    # 0 · Define the problem
    Stop(
        HOME,
        "Many problems in ML reduce to regression (how many?) or classification (which one?).",
        section="Regression or classification?",
    ),
    Stop(HOME, "Our problem: x is a 28×28 image of clothing, y one of 10 classes; learn θ so that f(x, θ) = P(y | x)."),
    # 1 · Probability primer
    Stop(
        SAMPLE_SPACES,
        "Flip a coin: S = {heads, tails}. The event {heads} has P = ½.",
        {"ss_exp": "coin", "ss_event_coin": ["heads"]},
        section="2 · An event is a subset",
    ),
    Stop(
        SAMPLE_SPACES,
        "Walk outside: S = {rain, sun, wind, cloud}. An event is a subset, e.g. {rain, cloud, wind}.",
        {"ss_exp": "weather", "ss_event_weather": ["rain", "cloud", "wind"]},
        section="2 · An event is a subset",
    ),
    Stop(
        SAMPLE_SPACES,
        "Grab clothing from the closet: S = the 10 Fashion-MNIST classes; the event {Sneaker}.",
        {"ss_exp": "closet", "ss_closet": "lecture", "ss_event_closet": ["Sneaker"]},
        section="2 · An event is a subset",
    ),
    Stop(
        SAMPLE_SPACES,
        "Repeat the experiment many times: the frequencies converge to the probabilities.",
        {"ss_exp": "closet", "ss_closet": "lecture", "ss_event_closet": ["Sneaker"], "ss_n": 100_000},
        section="3 · Repeat the experiment",
    ),
    Stop(
        RULES,
        "The axioms: 0 ≤ P(A) ≤ 1, and the probabilities of all outcomes sum to 1.",
        {"rules_tab": "Axioms", "rules_exp": "closet"},
    ),
    Stop(
        RULES,
        "Disjoint events add: P(Shirt ∪ Bag) = 0.1 + 0.05 = 0.15.",
        {"rules_tab": "Union", "rules_a": ["Shirt"], "rules_b": ["Bag"]},
        section="One item from the closet",
    ),
    Stop(
        RULES,
        "Rain and sun can happen on the same walk: P(Rain ∪ Sun) ≠ P(Rain) + P(Sun).",
        {"rules_tab": "Union", "rules_rain": 0.05, "rules_sun": 0.4, "rules_both": 0.02},
        "union_rain_sun",
        section="Overlapping: rain and sun",
    ),
    Stop(
        RULES,
        "One flip: P(Heads ∩ Tails) = 0, not P(Heads) · P(Tails) = 0.25.",
        {"rules_tab": "Product", "rules_heads": 0.5},
        "heads_and_tails",
    ),
    Stop(
        RULES,
        "A random variable X maps outcomes to numbers: the number of heads in k flips, X: Sᵏ → ℝ.",
        {"rules_tab": "Random variables", "rules_rv": "heads", "rules_k": 3},
    ),
    Stop(
        CONDITIONAL,
        "P(A | B) = P(A ∩ B) / P(B). One flip: P(Heads | Tails) = 0 / 0.5 = 0.",
        {
            "cond_mode": "marginals",
            "cond_a": "Heads",
            "cond_b": "Tails",
            "cond_pa": 0.5,
            "cond_pb": 0.5,
            "cond_pab": 0.0,
        },
        section="The formula, step by step",
    ),
    Stop(
        CONDITIONAL,
        "On a cloudy walk, how likely is rain? P(Rain | Cloud) = 0.2 / 0.4 = 0.5.",
        {**RAIN_GIVEN_CLOUD, "cond_step": 4},
        section="The formula, step by step",
    ),
    Stop(
        CONDITIONAL,
        "Count it: among the cloudy walks, the share with rain settles on 0.5.",
        {**RAIN_GIVEN_CLOUD, "cond_step": 4, "cond_n": 10_000},
        section="Count it: Monte Carlo",
    ),
    # 2 · The model f
    Stop(
        SOFTMAX,
        "Start with a linear model f(x, θ) = Wx + b: its scores z are not probabilities.",
        {"softmax_n": 3, "softmax_T": 1.0, "softmax_c": 0.0},
        section="From Wx + b to softmax",
    ),
    Stop(
        SOFTMAX,
        "softmax: ℝⁿ → Δⁿ⁻¹ turns any scores into probabilities that sum to one.",
        LOGITS_2_1_01,
        section="softmax: ℝⁿ → Δⁿ⁻¹",
    ),
    Stop(
        SOFTMAX,
        "Why probabilities, not one-hot? An ambiguous image: Shirt or T-shirt/top?",
        {
            "softmax_n": 10,
            "softmax_T": 1.0,
            "softmax_c": 0.0,
            "softmax_z1": -6.0,
            "softmax_z2": -4.6,
            "softmax_z3": -0.1,
            "softmax_z4": -3.9,
            "softmax_z5": -3.2,
            "softmax_z6": 0.0,
            "softmax_z7": -6.0,
            "softmax_z8": -3.4,
            "softmax_z9": -6.0,
            "softmax_z10": -3.4,
        },
        "why_probabilities",
        section="Why probabilities, not one-hot?",
    ),
    Stop(
        SOFTMAX,
        "Temperature: T → 0 sharpens f towards a corner of the triangle.",
        {**LOGITS_2_1_01, "softmax_T": 0.05},
        "temperature_to_zero",
        section="softmax: ℝⁿ → Δⁿ⁻¹",
    ),
    Stop(
        SOFTMAX,
        "T → ∞ flattens f towards the centre, the uniform distribution.",
        {**LOGITS_2_1_01, "softmax_T": 10.0},
        section="softmax: ℝⁿ → Δⁿ⁻¹",
    ),
    Stop(
        SOFTMAX,
        "Adding c to every logit changes nothing; subtracting the max keeps e^z from overflowing.",
        {
            "softmax_n": 3,
            "softmax_T": 1.0,
            "softmax_c": 1000.0,
            "softmax_z1": 0.0,
            "softmax_z2": -1.0,
            "softmax_z3": -2.0,
        },
        section="Shift invariance",
    ),
    # 3 · The loss 𝓛
    Stop(
        CROSS_ENTROPY,
        "A first try: the squared error of f = [0.6, 0.4] against y = [1, 0].",
        {**SHIRT_OR_BAG, "ce_step": 1},
        "squared_error",
        section="A first try: squared error",
    ),
    Stop(
        CROSS_ENTROPY,
        "KL divergence: plug the prediction f and the label y in.",
        {**SHIRT_OR_BAG, "ce_step": 1},
        section="From KL to cross-entropy",
    ),
    Stop(
        CROSS_ENTROPY,
        "The log rule: log(a / b) = log a − log b.",
        {**SHIRT_OR_BAG, "ce_step": 2},
        section="Step 2.",
    ),
    Stop(
        CROSS_ENTROPY,
        "Split the sum in two.",
        {**SHIRT_OR_BAG, "ce_step": 3},
        section="Step 3.",
    ),
    Stop(
        CROSS_ENTROPY,
        "The first term depends only on y, not on θ: a constant.",
        {**SHIRT_OR_BAG, "ce_step": 4},
        section="Step 4.",
    ),
    Stop(
        CROSS_ENTROPY,
        "What is left is the cross-entropy.",
        {**SHIRT_OR_BAG, "ce_step": 5},
        section="Step 5.",
    ),
    Stop(
        CROSS_ENTROPY,
        "Learning means choosing θ to minimise it.",
        {**SHIRT_OR_BAG, "ce_step": 6},
        section="Step 6.",
    ),
    Stop(
        CROSS_ENTROPY,
        "Over all training images: the lecture's double sum over images i and classes yᵢ ∈ Y.",
        {**SHIRT_OR_BAG, "ce_step": 7},
        section="Step 7.",
    ),
    Stop(
        CROSS_ENTROPY,
        "With one-hot labels one term per image survives: −Σᵢ log f_yᵢ(xᵢ, θ).",
        {**SHIRT_OR_BAG, "ce_step": 8},
        section="Step 8.",
    ),
    Stop(
        CROSS_ENTROPY,
        "Confidently wrong: the squared error's gradient vanishes, cross-entropy's does not.",
        {**SHIRT_OR_BAG, "ce_f1": 0.01, "ce_f2": 0.99, "ce_step": 8},
        section="Why not squared error?",
    ),
    # 4 · Learn θ
    Stop(
        TRAINING,
        "There is no closed-form solution: we need iterative solvers, such as gradient descent.",
        {
            "train_opt": "gd",
            "train_lr": 1.0,
            "train_epochs": 30,
            "train_schedule": "constant",
            "train_compare": False,
            "train_loss": "ce",
            "train_init": 0.01,
        },
    ),
    Stop(
        TRAINING,
        "Squared error vs cross-entropy, trained side by side from the same confidently wrong θ₀.",
        {
            "train_opt": "sgd",
            "train_lr": 0.1,
            "train_batch": 256,
            "train_epochs": 3,
            "train_schedule": "constant",
            "train_compare": True,
            "train_init": 0.3,
        },
        "se_vs_ce",
    ),
    Stop(
        TRAINING,
        "Too large a learning rate η: the loss explodes, and the run is stopped and explained.",
        {
            "train_opt": "sgd",
            "train_lr": 100.0,
            "train_batch": 256,
            "train_compare": False,
            "train_loss": "ce",
            "train_init": 0.01,
        },
    ),
    Stop(
        CLASSIFY,
        "What will the model say about this image?",
        {"cls_src": "test", "cls_index": 0},
        "predict_image",
        section="1 · The image",
    ),
    Stop(CLASSIFY, "Your own photo: the dataset's preprocessing, step by step, then f(x, θ).", {"cls_src": "upload"}),
)


def stop_number(text: object) -> int | None:
    """The stop k (1…N) that `text` names (e.g. a URL's ``?stop=k``), or None if it names none."""
    try:
        k = int(str(text).strip())
    except ValueError:
        return None
    return k if 1 <= k <= len(STOPS) else None


def on_stop(stop: Stop, page: str, state: Mapping[str, Any]) -> bool:
    """Whether the app shows `stop`: its page, and every control it sets at the stop's value."""
    return page == stop.page and all(state.get(key) == value for key, value in stop.values.items())


def questions_of(page: str) -> list[Question]:
    """The questions asked on a page, in the lecture's order."""
    return [QUESTIONS[s.question] for s in STOPS if s.page == page and s.question is not None]
