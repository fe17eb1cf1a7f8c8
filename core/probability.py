"""The probability primer: sample spaces S, events A ⊆ S, the rules, random variables, conditioning.

An experiment has outcomes ω forming the sample space S and a probability P(ω) for each; an event A is a
subset of S with P(A) = Σ_{ω∈A} P(ω). Two events A, B are summarised by their 2×2 joint table
``[[P(A∩B), P(A∩B̄)], [P(Ā∩B), P(Ā∩B̄)]]`` (rows A, Ā; columns B, B̄). Checks return problems as sentences
a student can act on; impossible input to a formula raises `ValueError` with such a sentence.
Simulations take a seed and use one `numpy.random.Generator`, vectorised over all trials.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from core.data import CLASS_NAMES
from core.numbers import fmt

# How far from 1 the sum of a probability vector may be: above float32 rounding of a softmax over a few
# thousand classes (~1e-7), far below any value a person types.
SUM_TOL = 1e-6


def _probability_problem(value: float, name: str) -> str | None:
    """Why `value` cannot be the probability called `name`, or None if it can."""
    if not math.isfinite(value):
        return f"{name} is not a number: enter a value between 0 and 1."
    if value < 0:
        return f"{name} = {fmt(value)} is negative: a probability is at least 0."
    if value > 1 + SUM_TOL:  # a sum of P(ω) that is 1 may round to 1 + 2⁻⁵²
        return f"{name} = {fmt(value)} is above 1: a probability is at most 1."
    return None


@dataclass(frozen=True)
class Experiment:
    """An experiment: its outcomes ω (together the sample space S) and the probability P(ω) of each.

    `from_lecture` names the outcomes whose P(ω) the lecture states; the app filled in the others so that
    Σ P(ω) = 1, and `filled_note` says how. `fractions` holds P(ω) as the lecture writes it, (numerator,
    denominator), where it writes a fraction (the coin's ½); None elsewhere.
    """

    title: str
    outcomes: tuple[str, ...]
    p: tuple[float, ...]
    from_lecture: tuple[str, ...] = ()
    filled_note: str = ""
    fractions: tuple[tuple[int, int] | None, ...] = ()

    def __post_init__(self) -> None:
        if len(self.outcomes) != len(self.p):
            raise ValueError(f"{len(self.outcomes)} outcomes but {len(self.p)} probabilities")
        problems = distribution_problems(self.p, self.outcomes)
        if problems:
            raise ValueError("; ".join(problems))
        if unknown := [w for w in self.from_lecture if w not in self.outcomes]:
            raise ValueError(f"{', '.join(unknown)} is not an outcome of {self.title}")
        if self.fractions and len(self.fractions) != len(self.outcomes):
            raise ValueError(f"{len(self.outcomes)} outcomes but {len(self.fractions)} fractions")
        for value, fraction in zip(self.p, self.fractions, strict=False):
            if fraction is not None and not math.isclose(fraction[0] / fraction[1], value):
                raise ValueError(f"{fraction[0]}/{fraction[1]} is not {value}")

    @property
    def probabilities(self) -> NDArray[np.float64]:
        """P(ω) for every ω ∈ S, in the order of `outcomes`."""
        return np.array(self.p, dtype=np.float64)

    @property
    def filled_in(self) -> tuple[str, ...]:
        """The outcomes whose P(ω) the app chose (not the lecture), in the order of S."""
        return tuple(w for w in self.outcomes if w not in self.from_lecture)

    @property
    def never(self) -> tuple[str, ...]:
        """The outcomes with P(ω) = 0: they are in S but never occur."""
        return tuple(w for w, v in zip(self.outcomes, self.p, strict=True) if v == 0)

    def written(self, outcome: str, tex: bool = False) -> str:
        """P(ω) as the lecture writes it: a fraction where it writes one (½), else `fmt`."""
        i = self.outcomes.index(outcome)
        fraction = self.fractions[i] if self.fractions else None
        if fraction is None:
            return fmt(self.p[i], tex=tex)
        num, den = fraction
        if tex:
            return rf"\tfrac{{{num}}}{{{den}}}"
        return "½" if (num, den) == (1, 2) else f"{num}/{den}"


def distribution_problems(p: ArrayLike, outcomes: Sequence[str]) -> list[str]:
    """What breaks the axioms 0 ≤ P(ω) ≤ 1 and Σ_ω P(ω) = 1, one sentence per problem (empty: valid)."""
    p = np.asarray(p, dtype=np.float64)
    problems = [m for name, value in zip(outcomes, p, strict=True) if (m := _probability_problem(value, f"P({name})"))]
    total = float(np.sum(p))
    if math.isfinite(total) and abs(total - 1.0) > SUM_TOL:
        problems.append(f"The probabilities sum to {fmt(total)}, not 1: some outcome must happen, so Σ P(ω) = 1. "
                        "Change the values so that they add up to 1.")
    return problems


def check_distribution(p: ArrayLike, name: str = "P") -> NDArray[np.float64]:
    """p as a float array if every slice along the last axis is a probability vector, else a ValueError.

    The message says what is wrong: a negative or non-finite entry, or a sum other than 1 (beyond `SUM_TOL`).
    """
    a = np.asarray(p, dtype=np.float64)
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ValueError(f"{name} must be a vector of probabilities, got {p!r}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} has an entry that is not a finite number: probabilities are numbers in [0, 1]")
    if np.any(a < 0):
        raise ValueError(f"{name} has a negative entry ({fmt(a.min())}): probabilities cannot be negative")
    sums = np.sum(a, axis=-1)
    if np.any(np.abs(sums - 1.0) > SUM_TOL):
        worst = float(sums.flat[np.argmax(np.abs(sums - 1.0))])
        raise ValueError(f"{name} sums to {fmt(worst, 6)}, not 1: the probabilities of all classes must add up to 1")
    return a


def normalise(p: ArrayLike) -> NDArray[np.float64]:
    """P(ω) / Σ P: rescale non-negative weights to sum to 1 (ValueError if a weight is negative or all are 0)."""
    p = np.asarray(p, dtype=np.float64)
    if not np.all(np.isfinite(p)):
        raise ValueError("Cannot normalise: a value is not a number. Enter a number for every outcome.")
    if np.any(p < 0):
        raise ValueError("Cannot normalise: a value is negative, and dividing by the sum keeps it negative. "
                         "Set it to 0 or more first.")
    total = float(np.sum(p))
    if total <= 0:
        raise ValueError("Cannot normalise: all values are 0, so there is nothing to divide. "
                         "Give at least one outcome a positive value.")
    return p / total


def event_mask(outcomes: Sequence[str], event: Collection[str]) -> NDArray[np.bool_]:
    """The event A ⊆ S as a boolean mask over S (ValueError for an ω that is not in S)."""
    unknown = [w for w in event if w not in outcomes]
    if unknown:
        raise ValueError(f"{', '.join(map(str, unknown))} is not an outcome of S = {{{', '.join(outcomes)}}}")
    return np.array([w in event for w in outcomes], dtype=bool)


def event_probability(p: ArrayLike, mask: ArrayLike) -> float:
    """P(A) = Σ_{ω∈A} P(ω)."""
    return float(np.sum(np.asarray(p, dtype=np.float64)[np.asarray(mask, dtype=bool)]))


COIN = Experiment("Flip a coin", ("heads", "tails"), (0.5, 0.5), from_lecture=("heads", "tails"),
                  fractions=((1, 2), (1, 2)))  # fmt: skip
# One weather per walk ("the weather you notice first"), so these outcomes are disjoint. The lecture gives
# P(rain) = 0.05 and P(sun) = 0.4, nothing else; P(cloud) = 0.4 is the P(Cloud) of its conditional example.
WEATHER = Experiment(
    "Walk outside", ("rain", "sun", "wind", "cloud"), (0.05, 0.4, 0.15, 0.4), from_lecture=("rain", "sun"),
    filled_note="P(cloud) takes the value the lecture gives P(Cloud) in its conditional-probability example; "
    "P(wind) is what is left.",
)  # fmt: skip
# The lecture's closet: P(Shirt) = 0.1, P(Bag) = 0.05 and P(Dress) = 0 ("never occurs") are the lecture's;
# the app chose the other seven so that they make up the remaining 0.85.
LECTURE_CLOSET = Experiment(
    "Grab clothing from the closet", CLASS_NAMES, (0.2, 0.15, 0.1, 0.0, 0.1, 0.05, 0.1, 0.15, 0.05, 0.1),
    from_lecture=("Dress", "Shirt", "Bag"),
    filled_note="The seven share what the lecture's three leave.",
)  # fmt: skip
# A random Fashion-MNIST training image: 6 000 of each class among 60 000, so P(ω) = 0.1 each.
UNIFORM_CLOSET = Experiment(
    "Draw a Fashion-MNIST training image", CLASS_NAMES, (0.1,) * 10,
    filled_note="Not the lecture's numbers: the training set holds 6 000 of its 60 000 images in each class, "
    "so a random training image has P(ω) = 0.1 for every class.",
)  # fmt: skip
EXPERIMENTS: dict[str, Experiment] = {"coin": COIN, "weather": WEATHER, "closet": LECTURE_CLOSET}
DIE = Experiment("Roll a die", tuple("123456"), (1 / 6,) * 6, fractions=((1, 6),) * 6)
FOOTWEAR = ("Sandal", "Sneaker", "Ankle boot")


def event_name(text: str, fallback: str) -> str:
    """A user-typed event name made safe for LaTeX and Plotly: letters, digits, spaces, - ' / . only (≤ 20)."""
    return re.sub(r"[^\w \-'/.]|_", "", text).strip()[:20] or fallback


def conditional(p_a_and_b: float, p_b: float) -> float:
    """P(A|B) = P(A∩B) / P(B). ValueError, in words, when P(B) = 0 or the inputs are impossible."""
    for value, name in ((p_a_and_b, "P(A ∩ B)"), (p_b, "P(B)")):
        if problem := _probability_problem(value, name):
            raise ValueError(problem)
    if p_b == 0:
        raise ValueError("P(A|B) is undefined: P(B) = 0, so B never happens and there is nothing to condition on. "
                         "Give B a probability above 0.")
    if p_a_and_b > p_b:
        raise ValueError(f"P(A ∩ B) = {fmt(p_a_and_b)} is larger than P(B) = {fmt(p_b)}: impossible, "
                         "since A ∩ B happens only when B happens. Lower P(A ∩ B) or raise P(B).")
    return p_a_and_b / p_b


def union(p_a: float, p_b: float, p_a_and_b: float) -> float:
    """P(A∪B) = P(A) + P(B) − P(A∩B); ValueError, in words, when the three cannot belong to two events."""
    problems = pair_problems(p_a, p_b, p_a_and_b)
    if problems:
        raise ValueError(" ".join(problems))
    return p_a + p_b - p_a_and_b


def pair_problems(p_a: float, p_b: float, p_a_and_b: float, a: str = "A", b: str = "B") -> list[str]:
    """Why P(A), P(B), P(A∩B) cannot belong to two events A, B (empty list: they can)."""
    named = ((p_a, f"P({a})"), (p_b, f"P({b})"), (p_a_and_b, f"P({a} ∩ {b})"))
    problems = [m for value, name in named if (m := _probability_problem(value, name))]
    if problems:
        return problems
    for single, name in ((p_a, a), (p_b, b)):
        if p_a_and_b > single + SUM_TOL:
            problems.append(f"P({a} ∩ {b}) = {fmt(p_a_and_b)} is larger than P({name}) = {fmt(single)}: "
                            f"impossible, since {a} ∩ {b} happens only when {name} happens. Lower P({a} ∩ {b}) "
                            f"to at most {fmt(single)} or raise P({name}).")
    if p_a + p_b - p_a_and_b > 1 + SUM_TOL:
        problems.append(f"P({a} ∪ {b}) = P({a}) + P({b}) − P({a} ∩ {b}) = {fmt(p_a + p_b - p_a_and_b)} is above "
                        f"1: raise P({a} ∩ {b}) to at least {fmt(p_a + p_b - 1)} or lower P({a}) or P({b}).")
    return problems


def sum_rule_holds(p_a: float, p_b: float, p_a_and_b: float) -> bool:
    """Whether the simple sum rule P(A∪B) = P(A) + P(B) holds: if and only if P(A∩B) = 0.

    Since P(A∪B) = P(A) + P(B) − P(A∩B), the simple sum is right exactly when P(A∩B) = 0 — for instance when
    A ∩ B = ∅, but also when A and B share only outcomes that never occur. ValueError for impossible input.
    """
    problems = pair_problems(p_a, p_b, p_a_and_b)
    if problems:
        raise ValueError(" ".join(problems))
    return p_a_and_b == 0


def joint_from_marginals(p_a: float, p_b: float, p_a_and_b: float) -> NDArray[np.float64]:
    """The 2×2 joint table [[P(A∩B), P(A∩B̄)], [P(Ā∩B), P(Ā∩B̄)]] from P(A), P(B), P(A∩B) (unchecked)."""
    return np.array([[p_a_and_b, p_a - p_a_and_b], [p_b - p_a_and_b, 1.0 - p_a - p_b + p_a_and_b]])


def joint_problems(cells: ArrayLike, a: str = "A", b: str = "B") -> list[str]:
    """Why a 2×2 joint table is impossible: a cell outside [0, 1], or cells not summing to 1."""
    cells = np.asarray(cells, dtype=np.float64)
    names = [f"{x} ∩ {y}" for x in (a, f"not {a}") for y in (b, f"not {b}")]
    return distribution_problems(cells.ravel(), names)


def joint_of_events(p: ArrayLike, mask_a: ArrayLike, mask_b: ArrayLike) -> NDArray[np.float64]:
    """The 2×2 joint table of two events A, B ⊆ S, each cell a sum of P(ω) over its outcomes."""
    a, b = np.asarray(mask_a, dtype=bool), np.asarray(mask_b, dtype=bool)
    return np.array([[event_probability(p, a & b), event_probability(p, a & ~b)],
                     [event_probability(p, ~a & b), event_probability(p, ~a & ~b)]])  # fmt: skip


def marginals(cells: ArrayLike) -> tuple[float, float, float]:
    """(P(A), P(B), P(A∩B)) from the joint table: row sum, column sum and the corner cell."""
    cells = np.asarray(cells, dtype=np.float64)
    return float(cells[0].sum()), float(cells[:, 0].sum()), float(cells[0, 0])


def independent(p_a: float, p_b: float, p_a_and_b: float, tol: float = 1e-12) -> bool:
    """Whether the product rule P(A∩B) = P(A)·P(B) holds."""
    return abs(p_a_and_b - p_a * p_b) <= tol


@dataclass(frozen=True)
class Joint:
    """Two named events A, B and their 2×2 joint table as entered (possibly impossible), and what is wrong with it.

    `cells` = [[P(A∩B), P(A∩B̄)], [P(Ā∩B), P(Ā∩B̄)]]; `problems` is empty when the table is possible.
    """

    a: str
    b: str
    cells: NDArray[np.float64]
    problems: tuple[str, ...]

    @classmethod
    def from_marginals(cls, a: str, b: str, p_a: float, p_b: float, p_a_and_b: float) -> Joint:
        """The joint table of P(A), P(B), P(A∩B), with `pair_problems` as its problems."""
        cells = joint_from_marginals(p_a, p_b, p_a_and_b)
        return cls(a, b, cells, tuple(pair_problems(p_a, p_b, p_a_and_b, a, b)))

    @classmethod
    def from_cells(cls, a: str, b: str, cells: ArrayLike) -> Joint:
        """The joint table from its four cells, with `joint_problems` as its problems."""
        cells = np.array(cells, dtype=np.float64).reshape(2, 2)
        return cls(a, b, cells, tuple(joint_problems(cells, a, b)))

    @property
    def p_a(self) -> float:
        """P(A): the first row's sum."""
        return marginals(self.cells)[0]

    @property
    def p_b(self) -> float:
        """P(B): the first column's sum."""
        return marginals(self.cells)[1]

    @property
    def p_ab(self) -> float:
        """P(A∩B): the corner cell."""
        return marginals(self.cells)[2]


def enumerate_product(p: ArrayLike, k: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """All outcomes of k independent repeats, in lexicographic order: indices (m^k, k), P(ω₁…ω_k) = Π_i P(ω_i)."""
    p = np.asarray(p, dtype=np.float64)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    idx = np.indices((len(p),) * k).reshape(k, -1).T
    return idx, np.prod(p[idx], axis=1)


def sequence_names(symbols: Sequence[str], k: int, sep: str = "", paren: bool = False) -> list[str]:
    """The names of the outcomes of Sᵏ in the order of `enumerate_product`: ("H", "T"), 2 → HH, HT, TH, TT;
    with ``sep=",", paren=True`` dice pairs read (1,1), (1,2), …"""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    idx = np.indices((len(symbols),) * k).reshape(k, -1).T
    names = [sep.join(symbols[i] for i in row) for row in idx]
    return [f"({name})" for name in names] if paren else names


@dataclass(frozen=True)
class TwoFlips:
    """Two flips of one coin, S² = {HH, HT, TH, TT}, with A = heads on the 1st flip and B = tails on the 2nd."""

    outcomes: tuple[str, ...]
    p: NDArray[np.float64]
    mask_a: NDArray[np.bool_]
    mask_b: NDArray[np.bool_]

    @property
    def cells(self) -> NDArray[np.float64]:
        """The 2×2 joint table of A and B."""
        return joint_of_events(self.p, self.mask_a, self.mask_b)

    def members(self, mask: ArrayLike) -> list[str]:
        """The outcomes of S² in an event, by name."""
        return [w for w, inside in zip(self.outcomes, np.asarray(mask, dtype=bool), strict=True) if inside]

    @property
    def independent(self) -> bool:
        """Whether P(A∩B) = P(A)·P(B) for A = heads 1st, B = tails 2nd."""
        return independent(*marginals(self.cells))


def two_flips(p_heads: float = 0.5) -> TwoFlips:
    """S² for two independent flips of a coin with P(heads) = p_heads: P(ω₁ω₂) = P(ω₁)·P(ω₂)."""
    if problem := _probability_problem(p_heads, "P(heads)"):
        raise ValueError(problem)
    idx, p = enumerate_product([p_heads, 1.0 - p_heads], 2)
    return TwoFlips(tuple(sequence_names("HT", 2)), p, idx[:, 0] == 0, idx[:, 1] == 1)


def sample(p: ArrayLike, n: int, seed: int, k: int = 1) -> NDArray[np.int64]:
    """n trials of k independent repeats each, as outcome indices of shape (n, k), from a seeded Generator."""
    p = np.asarray(p, dtype=np.float64)
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    draws = np.searchsorted(cdf, rng.random((n, k)), side="right")
    return np.minimum(draws, len(p) - 1)


def frequencies(samples: ArrayLike, m: int) -> NDArray[np.float64]:
    """Observed frequency #ω / N of each of the m outcomes."""
    samples = np.asarray(samples).ravel()
    return np.bincount(samples, minlength=m) / max(len(samples), 1)


def running_frequency(
    hits: ArrayLike, given: ArrayLike | None = None, points: int = 300
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The running estimate #(hits ∩ given) / #given after the first N trials, for a chart against N.

    Evaluated at every N when there are at most `points` trials, else at about `points` log-spaced N.
    Without `given` this is the running frequency #A / N. NaN where no trial so far was in `given`.
    """
    hits = np.asarray(hits, dtype=bool)
    given = np.ones_like(hits) if given is None else np.asarray(given, dtype=bool)
    n = len(hits)
    if n <= points:
        ns = np.arange(1, n + 1)
    else:
        ns = np.unique(np.geomspace(1, n, num=points).round().astype(np.int64))
    num = np.cumsum(hits & given)[ns - 1]
    den = np.cumsum(given)[ns - 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return ns, np.where(den > 0, num / np.maximum(den, 1), np.nan)


def binomial_band(p: float, ns: ArrayLike, z: float = 1.96) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """p ∓ z·√(p(1−p)/N): where about 95 % of running frequencies lie after N trials (clipped to [0, 1])."""
    half = z * np.sqrt(p * (1 - p) / np.asarray(ns, dtype=np.float64))
    return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)


@dataclass(frozen=True)
class RandomVariable:
    """X: Sᵏ → ℝ over k independent repeats of an experiment with sample space S (X: S → ℝ for k = 1).

    `fn` maps outcome indices (n, k) to values (n,); `symbols` names each outcome of S inside a name of Sᵏ.
    """

    name: str
    definition: str  # LaTeX for X(ω)
    experiment: Experiment
    k: int
    fn: Callable[[NDArray[np.int64]], NDArray[np.float64]]
    symbols: tuple[str, ...] = ()
    sep: str = ""  # between the parts of a name of Sᵏ; when set, names are in parentheses: (1,2)

    @property
    def domain_tex(self) -> str:
        """The domain of X in LaTeX: S for one repeat, S^{k} for k."""
        return "S" if self.k == 1 else f"S^{{{self.k}}}"

    @property
    def domain_size(self) -> int:
        """|Sᵏ| = |S|ᵏ."""
        return len(self.experiment.outcomes) ** self.k

    def domain_names(self) -> list[str]:
        """The outcomes of Sᵏ by name, in the order of `enumerate_product`."""
        if self.k == 1:
            return list(self.experiment.outcomes)
        return sequence_names(self.symbols or self.experiment.outcomes, self.k, self.sep, paren=bool(self.sep))

    def distribution(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(values x, P(X = x)) by enumerating S: P(X = x) = Σ_{ω : X(ω) = x} P(ω)."""
        idx, p = enumerate_product(self.experiment.probabilities, self.k)
        values, inverse = np.unique(self.fn(idx), return_inverse=True)
        return values, np.bincount(inverse, weights=p, minlength=len(values))

    def sample(self, n: int, seed: int) -> NDArray[np.float64]:
        """X(ω) for n simulated outcomes ω."""
        return self.fn(sample(self.experiment.probabilities, n, seed, self.k))

    def observed(self, n: int, seed: int) -> tuple[NDArray[np.float64], float]:
        """For n simulated outcomes: the frequency of each value x of `distribution()`, and the sample mean."""
        values, _ = self.distribution()
        xs = self.sample(n, seed)
        return frequencies(np.searchsorted(values, xs), len(values)), float(np.mean(xs))


def expectation(values: ArrayLike, pmf: ArrayLike) -> float:
    """E[X] = Σ_x x · P(X = x)."""
    return float(np.dot(np.asarray(values, dtype=np.float64), np.asarray(pmf, dtype=np.float64)))


def heads_in_flips(k: int, p_heads: float = 0.5) -> RandomVariable:
    """X = number of heads in k flips of a coin with P(heads) = p_heads."""
    coin = COIN if p_heads == 0.5 else Experiment("Flip a coin", COIN.outcomes, (p_heads, 1.0 - p_heads))
    args = {1: r"\omega_1", 2: r"\omega_1, \omega_2"}.get(k, rf"\omega_1,\dots,\omega_{{{k}}}")
    return RandomVariable(
        f"Number of heads in {k} flip{'s' if k != 1 else ''}",
        rf"X({args}) = \#\{{i : \omega_i = \text{{heads}}\}}",
        coin,
        k,
        lambda idx: np.sum(idx == 0, axis=1).astype(np.float64),
        symbols=("H", "T"),
    )


def sum_of_two_dice() -> RandomVariable:
    """X = the sum of the eyes of two fair dice."""
    return RandomVariable(
        "Sum of two dice",
        r"X(\omega_1, \omega_2) = \omega_1 + \omega_2",
        DIE,
        2,
        lambda idx: np.sum(idx + 1, axis=1).astype(np.float64),
        sep=",",
    )


def is_footwear(closet: Experiment = LECTURE_CLOSET) -> RandomVariable:
    """X = 1 if the item grabbed from the closet is footwear (Sandal, Sneaker, Ankle boot), else 0."""
    footwear = np.flatnonzero(event_mask(closet.outcomes, FOOTWEAR))
    return RandomVariable(
        "Is it footwear? (closet)",
        r"X(\omega) = \begin{cases} 1 & \omega \in \{\text{Sandal}, \text{Sneaker}, \text{Ankle boot}\} \\ "
        r"0 & \text{otherwise} \end{cases}",
        closet,
        1,
        lambda idx: np.isin(idx[:, 0], footwear).astype(np.float64),
    )


def sample_joint(cells: ArrayLike, n: int, seed: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """n trials from a 2×2 joint table: boolean arrays (A happened, B happened) per trial."""
    cell = sample(np.asarray(cells, dtype=np.float64).ravel(), n, seed)[:, 0]
    return cell < 2, cell % 2 == 0
