"""Encoder-side search that never regresses: reflection, seed search and variable rate.

The paper's reflection loop (generate, describe the result, revise the prompt) can undo its own
gains: a later prompt may render worse than an earlier one. Here every candidate file is rendered
exactly as a decoder would render it, scored against the original by a ``Judge``, and only the
best-scoring candidate so far is kept, so a worse iteration can never win; on a tie the earlier
(cheaper) one stays.

Three searches compose, in this order, inside ``search``:

1. **Reflection** (``reflect=K``): iteration 0 codes the description as given; each further
   iteration describes the image of the *best* candidate so far, asks ``revise`` for a better
   prompt, fits it to the same budget, renders and scores it. It stops early once the score has
   not improved for ``patience`` iterations in a row.
2. **Seed search** (``seeds=N``): the winning prompt is rendered under seeds 0..N-1. The seed is
   stored in the file header (seed 0 is free, seed s>=1 costs 2*floor(log2 s)+1 bits), so each
   seed's file is coded anew and must fit the budget; ``encode`` refits the text if the seed
   pushes it over, and a seed whose file cannot fit is skipped. A generator that cannot be
   seeded makes this pointless, so it is refused.
3. **Variable rate** (``quality_target=Q``): bisection over budgets (whole bytes, between
   ``min_budget`` and the upper bound) for the smallest budget whose best candidate scores at
   least Q. Bisection assumes quality grows with the budget; it is not strictly so (renders are
   noisy), so the answer is a budget that passes whose next lower grid point failed, found with
   about log2(number of budgets) + 1 searches.

The search sees only plain callables, so tests drive it with fakes and the pipeline passes
closures over its backends. It records every model call in a ``CostRecorder`` (describe, revise,
generate, judge); callers must not wrap the callables they pass in a recorder themselves, or
the calls count twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..models.costs import CostRecorder
from ..errors import BackendError, BudgetError, InputError

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..codec import Encoded
    from ..models.base import Judge

#: ``encode(prompt, seed, budget) -> Encoded``: fit ``prompt`` to ``budget`` bits (whole file;
#: None: no budget) and code it with ``seed`` in the header. Raises BudgetError if nothing fits.
EncodeFn = Callable[[str, int, "int | None"], "Encoded"]
#: ``render(encoded) -> image``: the decoder's image of a file, at the original size.
RenderFn = Callable[["Encoded"], "Image"]
#: ``describe(image) -> description`` (a VLM).
DescribeFn = Callable[["Image"], str]
#: ``revise(original_description, generated_description, current_prompt) -> revised prompt``.
ReviseFn = Callable[[str, str, str], str]

#: The smallest budget variable rate tries by default: one byte.
MIN_BUDGET = 8


@dataclass
class Candidate:
    """One scored file: what was coded, what it costs, what it renders to and how close it is."""

    #: Reflection iteration that produced the prompt (0: the description as given). Seed
    #: candidates carry the iteration of the prompt they re-render.
    iteration: int
    #: How it was made: "describe" (iteration 0), "reflect" (a revision) or "seed".
    stage: str
    #: The text as coded (after rate control).
    prompt: str
    #: The prompt handed to ``encode`` before it was fitted to the budget.
    source: str
    seed: int
    #: The budget the candidate was made under (None: no budget).
    budget: int | None
    #: Payload bits (the coded text).
    text_bits: int
    #: Every bit of the file, header (seed field included) and padding too.
    file_bits: int
    score: float
    #: ``name:model_id`` of the judge that gave the score.
    judge: str
    image: Image = field(repr=False)
    encoded: Encoded = field(repr=False)

    def record(self) -> dict[str, Any]:
        """The JSON-ready fields of the candidate (everything but the image and the file)."""
        return {
            "iteration": self.iteration,
            "stage": self.stage,
            "prompt": self.prompt,
            "source": self.source,
            "decoded_text": self.encoded.text,
            "seed": self.seed,
            "budget": self.budget,
            "text_bits": self.text_bits,
            "header_bits": self.encoded.header_bits,
            "file_bits": self.file_bits,
            "score": self.score,
            "judge": self.judge,
        }


@dataclass
class SearchResult:
    """Every candidate the search scored, which one won, and how the budget was chosen."""

    original: Image = field(repr=False)
    candidates: list[Candidate]
    #: Index into ``candidates`` of the winner.
    chosen: int
    #: The budget the winner was chosen under (under variable rate: the smallest passing one).
    budget: int | None
    judge: str
    #: Variable rate only: the quality target, whether the winner reaches it, and the budgets
    #: tried in the order tried.
    target: float | None = None
    reached_target: bool | None = None
    budgets_tried: list[int] = field(default_factory=list)
    #: Plain sentences about what was skipped or reused, for the trace and for ``--json``.
    notes: list[str] = field(default_factory=list)
    costs: CostRecorder = field(default_factory=CostRecorder, repr=False)

    @property
    def best(self) -> Candidate:
        """The chosen candidate."""
        return self.candidates[self.chosen]

    @property
    def encoded(self) -> Encoded:
        """The chosen file."""
        return self.best.encoded

    def summary(self) -> dict[str, Any]:
        """JSON-ready description of the search (no images): what ``encode --json`` reports."""
        return {
            "chosen": self.chosen,
            "budget": self.budget,
            "judge": self.judge,
            "target": self.target,
            "reached_target": self.reached_target,
            "budgets_tried": list(self.budgets_tried),
            "notes": list(self.notes),
            "candidates": [c.record() for c in self.candidates],
            "costs": self.costs.as_dict(),
        }


def judge_label(judge: Judge) -> str:
    """``name:model_id`` of a judge, as candidates and traces name it."""
    return f"{judge.name}:{judge.model_id}"


class _Searcher:
    """The state of one search: callables, the candidates so far and a cache of scored files."""

    def __init__(
        self,
        original: Image,
        description: str,
        encode: EncodeFn,
        render: RenderFn,
        judge: Judge,
        describe: DescribeFn | None,
        revise: ReviseFn | None,
        costs: CostRecorder,
    ) -> None:
        self.original = original
        self.description = description
        self.encode = encode
        self.render = costs.wrap("generate", render)
        self.judge = judge
        self.label = judge_label(judge)
        self.score = costs.wrap("judge", judge.score)
        self.describe = costs.wrap("describe", describe) if describe else None
        self.revise = costs.wrap("revise", revise) if revise else None
        self.candidates: list[Candidate] = []
        self.notes: list[str] = []
        self._by_file: dict[bytes, Candidate] = {}
        self._descriptions: dict[int, str] = {}  # id(candidate) -> description of its image

    def evaluate(self, source: str, seed: int, budget: int | None, iteration: int, stage: str) -> Candidate:
        """Code, render and score one candidate (a file scored before is not rendered again).

        Raises BudgetError if not even one word of ``source`` fits the budget.
        """
        encoded = self.encode(source, seed, budget)
        if encoded.header.seed != seed:
            raise ValueError(f"encode() was asked for seed {seed} but wrote seed {encoded.header.seed}")
        if budget is not None and encoded.file_bits > budget:
            raise BudgetError(f"the file takes {encoded.file_bits} bits, over the budget of {budget}")
        known = self._by_file.get(encoded.data)
        if known is not None:
            self.notes.append(
                f"{stage} at iteration {iteration}, seed {seed}, budget {budget} gave the same file "
                f"as candidate {self.candidates.index(known)}; it was not rendered again"
            )
            return known
        image = self.render(encoded)
        score = float(self.score(self.original, image))
        if not math.isfinite(score):
            raise BackendError(f"the judge {self.label} returned {score}, not a finite score")
        candidate = Candidate(
            iteration=iteration,
            stage=stage,
            prompt=encoded.coded_text,
            source=source,
            seed=seed,
            budget=budget,
            text_bits=encoded.payload_bits,
            file_bits=encoded.file_bits,
            score=score,
            judge=self.label,
            image=image,
            encoded=encoded,
        )
        self.candidates.append(candidate)
        self._by_file[encoded.data] = candidate
        return candidate

    def generated_description(self, candidate: Candidate) -> str:
        """What the describer sees in the candidate's image (asked once per candidate)."""
        key = id(candidate)
        if key not in self._descriptions:
            assert self.describe is not None
            self._descriptions[key] = self.describe(candidate.image)
        return self._descriptions[key]

    def reflect(self, budget: int | None, iterations: int, patience: int) -> Candidate:
        """Iteration 0 and up to ``iterations`` revisions, each from the best so far.

        Raises BudgetError if the description itself cannot fit the budget.
        """
        best = self.evaluate(self.description, 0, budget, 0, "describe")
        stale = 0
        for iteration in range(1, iterations + 1):
            if stale >= patience:
                break
            assert self.revise is not None
            revised = self.revise(self.description, self.generated_description(best), best.prompt)
            candidate = None
            if not revised.strip():
                self.notes.append(f"reflection iteration {iteration}: the reviser returned no text")
            else:
                try:
                    candidate = self.evaluate(revised, 0, budget, iteration, "reflect")
                except BudgetError as e:
                    self.notes.append(f"reflection iteration {iteration} was skipped: {e}")
            if candidate is not None and candidate.score > best.score:
                best, stale = candidate, 0
            else:
                stale += 1
        return best

    def seeds(self, best: Candidate, budget: int | None, seeds: int) -> Candidate:
        """The best of seeds 0..``seeds``-1 for ``best``'s prompt (tried in order, so a tie keeps
        the lower seed, whose header field is no longer)."""
        winner = best
        for seed in range(seeds):
            if seed == best.seed:
                continue
            try:
                candidate = self.evaluate(best.source, seed, budget, best.iteration, "seed")
            except BudgetError as e:
                self.notes.append(f"seed {seed} was skipped: {e}")
                continue
            if candidate.score > winner.score:
                winner = candidate
        return winner

    def at_budget(self, budget: int | None, reflect: int, patience: int, seeds: int) -> Candidate:
        """The best candidate under one budget: reflection, then seed search."""
        return self.seeds(self.reflect(budget, reflect, patience), budget, seeds)


def budget_grid(min_budget: int, max_budget: int) -> list[int]:
    """The budgets variable rate may choose, ascending: whole bytes from ``min_budget`` up, and
    ``max_budget`` itself on top (a file is whole bytes, so other budgets would change nothing)."""
    if min_budget < 1 or min_budget > max_budget:
        raise InputError(f"the smallest budget ({min_budget} bits) must be between 1 and the upper bound ({max_budget} bits)")
    return [8 * k for k in range(math.ceil(min_budget / 8), max_budget // 8)] + [max_budget]


def search(
    original: Image,
    description: str,
    *,
    encode: EncodeFn,
    render: RenderFn,
    judge: Judge,
    describe: DescribeFn | None = None,
    revise: ReviseFn | None = None,
    reflect: int = 0,
    patience: int = 1,
    seeds: int = 1,
    deterministic: bool = True,
    budget: int | None = None,
    quality_target: float | None = None,
    min_budget: int = MIN_BUDGET,
    costs: CostRecorder | None = None,
) -> SearchResult:
    """Search for the best-scoring file for ``original`` and return every candidate scored.

    ``reflect`` is the number of revisions after iteration 0 (0: code the description as given;
    it needs ``describe`` and ``revise``). ``seeds`` is the number of seeds tried (1: seed 0
    only; more needs ``deterministic``). ``budget`` is the whole-file budget in bits; with
    ``quality_target`` it is the upper bound of the variable-rate bisection. Model calls are
    recorded in ``costs`` (a new recorder if None), available as ``result.costs``.

    Raises InputError for inconsistent settings (seed search with a generator that cannot be
    seeded, reflection without a describer and a reviser, a quality target without an upper
    bound), BudgetError if the description cannot fit the budget (under variable rate: not even
    the upper bound), and BackendError if the judge returns something that is not a number.
    """
    _check_settings(reflect, patience, seeds, deterministic, describe is not None and revise is not None,
                    quality_target is not None and budget is None)
    costs = costs if costs is not None else CostRecorder()
    run = _Searcher(original, description, encode, render, judge, describe, revise, costs)
    if not deterministic and (reflect > 0 or quality_target is not None):
        run.notes.append(
            "the generator cannot be seeded, so a decoder's image will differ from the one scored here"
        )

    def best_at(b: int | None) -> Candidate:
        return run.at_budget(b, reflect, patience, seeds)

    target = reached = None
    tried: list[int] = []
    if quality_target is None:
        winner, chosen_budget = best_at(budget), budget
    else:
        assert budget is not None
        target = float(quality_target)
        winner, chosen_budget, reached, tried = _bisect(run, best_at, budget_grid(min_budget, budget), target)
    return SearchResult(
        original=original,
        candidates=run.candidates,
        chosen=run.candidates.index(winner),
        budget=chosen_budget,
        judge=run.label,
        target=target,
        reached_target=reached,
        budgets_tried=tried,
        notes=run.notes,
        costs=costs,
    )


def _check_settings(reflect: int, patience: int, seeds: int, deterministic: bool, can_reflect: bool,
                    unbounded_target: bool) -> None:
    """InputError for search settings that cannot work together."""
    if reflect < 0 or seeds < 1 or patience < 1:
        raise InputError("reflection iterations must be >= 0, seeds >= 1 and patience >= 1")
    if seeds > 1 and not deterministic:
        raise InputError(
            "seed search needs a deterministic generator, and this one cannot be seeded, so the "
            "winning seed would not reproduce the winning image at decoding; search one seed only",
            params=("seeds",),
        )
    if reflect > 0 and not can_reflect:
        raise InputError("reflection needs a describer and a reviser model; give both or set reflect to 0",
                         params=("reflect",))
    if unbounded_target:
        raise InputError("a quality target needs an upper bound on the rate: give max_bits or ubpp",
                         params=("max_bits", "ubpp"))


def _bisect(
    run: _Searcher, best_at: Callable[[int], Candidate], grid: list[int], target: float
) -> tuple[Candidate, int, bool, list[int]]:
    """Smallest budget of ``grid`` whose best candidate reaches ``target`` (see module docstring).

    Returns (winner, its budget, whether it reaches the target, budgets tried). The upper bound
    is tried first; if it fails, its best is returned with ``False``.
    """
    tried = [grid[-1]]
    top = best_at(grid[-1])  # BudgetError here propagates: nothing fits at all
    if top.score < target:
        run.notes.append(
            f"no budget up to {grid[-1]} bits reaches the quality target {target}: "
            f"the best at the upper bound scores {top.score}"
        )
        return top, grid[-1], False, tried
    winner, lo, hi = top, 0, len(grid) - 1  # grid[hi] passes
    while lo < hi:
        mid = (lo + hi) // 2
        tried.append(grid[mid])
        try:
            candidate: Candidate | None = best_at(grid[mid])
        except BudgetError as e:
            run.notes.append(f"budget {grid[mid]} bits holds no text: {e}")
            candidate = None
        if candidate is not None and candidate.score >= target:
            winner, hi = candidate, mid
        else:
            lo = mid + 1
    return winner, grid[hi], True, tried
