"""The answers of a 2AFC study as numbers: who is kept, win rates, Bradley-Terry scores.

- A participant is **excluded** who failed more than ``max_failures`` attention checks (a check
  pairs the original with a heavy degradation, so the original is the right answer), and is
  counted as **unchecked** (also left out) until they have answered at least one check. Both
  counts are reported; no answer of a left-out participant enters the numbers.
- **Win rate** of a method: the share of its comparisons it won, with a Wilson 95% interval
  (scipy's ``binomtest``), which stays inside [0, 1] and is sound for small counts.
- **Bradley-Terry** strengths by Hunter's (2004) MM algorithm, with one virtual win and one
  virtual loss of each method against a reference of strength 1: the fit then exists under
  perfect separation (a method that won every comparison), and a score of 0 is that reference.
  Scores are natural-log strengths: exp(a - b) / (1 + exp(a - b)) is the chance a is preferred
  to b. Intervals are percentile bootstrap over participants (the unit that was sampled).
  Written here rather than with a ranking package because the MM update is four lines of numpy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

#: Bootstrap resamples for the Bradley-Terry intervals.
BOOTSTRAP = 1000
CONFIDENCE = 0.95


def wilson(wins: int, n: int, confidence: float = CONFIDENCE) -> list[float] | None:
    """The Wilson score interval of ``wins`` out of ``n`` (None when ``n`` is 0)."""
    if n == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(wins, n).proportion_ci(confidence_level=confidence, method="wilson")
    return [float(ci.low), float(ci.high)]


def bradley_terry(wins: np.ndarray, iterations: int = 10_000, tol: float = 1e-10) -> np.ndarray:
    """Log-strengths from ``wins[i, j]`` (times i was preferred to j), regularised by one virtual
    win and loss of each method against a reference of strength 1 (see the module docstring)."""
    wins = np.asarray(wins, dtype=float)
    games = wins + wins.T
    won = wins.sum(axis=1) + 1.0
    p = np.ones(len(wins))
    for _ in range(iterations):
        new = won / ((games / (p[:, None] + p[None, :])).sum(axis=1) + 2.0 / (p + 1.0))
        if np.max(np.abs(np.log(new) - np.log(p))) < tol:
            p = new
            break
        p = new
    return np.log(p)


def participant_status(answers: Sequence[dict[str, Any]], max_failures: int) -> dict[str, str]:
    """participant -> ``kept``, ``excluded`` (too many failed checks) or ``unchecked``."""
    checks: dict[str, list[bool]] = defaultdict(list)
    for a in answers:
        if a["kind"] == "check":
            checks[a["participant"]].append(a["answer"] == a["correct"])
    status = {}
    for pid in dict.fromkeys(a["participant"] for a in answers):
        results = checks.get(pid, [])
        failed = results.count(False)
        status[pid] = "unchecked" if not results else ("excluded" if failed > max_failures else "kept")
    return status


def _comparisons(answers: Sequence[dict[str, Any]], keep: set[str]) -> list[tuple[str, str, str]]:
    """(participant, winner, loser) of every kept pair answer."""
    out = []
    for a in answers:
        if a["kind"] != "pair" or a["participant"] not in keep:
            continue
        chosen, other = (a["left"], a["right"]) if a["answer"] == "left" else (a["right"], a["left"])
        out.append((a["participant"], chosen, other))
    return out


def _matrix(comparisons: Sequence[tuple[str, str, str]], index: dict[str, int]) -> np.ndarray:
    wins = np.zeros((len(index), len(index)))
    for _, winner, loser in comparisons:
        wins[index[winner], index[loser]] += 1
    return wins


def _bootstrap(comparisons: list[tuple[str, str, str]], index: dict[str, int], resamples: int,
               seed: int) -> np.ndarray | None:
    """Percentile intervals (methods x 2) of the scores over resampled participants."""
    by_participant: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for c in comparisons:
        by_participant[c[0]].append(c)
    people = list(by_participant)
    if len(people) < 2 or resamples < 1:
        return None
    rng = np.random.default_rng(seed)
    mats = [_matrix(by_participant[p], index) for p in people]
    scores = np.array([bradley_terry(sum(mats[i] for i in rng.integers(0, len(people), len(people))))
                       for _ in range(resamples)])
    alpha = (1 - CONFIDENCE) / 2
    return np.quantile(scores, [alpha, 1 - alpha], axis=0).T


def analyse(answers: Sequence[dict[str, Any]], methods: Sequence[dict[str, Any]], *, participants: int | None = None,
            max_failures: int = 0, resamples: int = BOOTSTRAP, seed: int = 0) -> dict[str, Any]:
    """The study's results document from its answered trials (see ``AnswerStore.answers``) and
    its methods (``{"method", "codec", "setting", "bpp"}``); ``participants`` counts everyone
    who started (also those who answered nothing)."""
    status = participant_status(answers, max_failures)
    keep = {p for p, s in status.items() if s == "kept"}
    comparisons = _comparisons(answers, keep)
    index = {m["method"]: i for i, m in enumerate(methods)}
    unknown = {name for _, w, l in comparisons for name in (w, l) if name not in index}
    if unknown:
        from ...errors import InputError

        raise InputError(f"the answers name a method the study does not have ({sorted(unknown)[0]!r})")
    wins = _matrix(comparisons, index)
    scores = bradley_terry(wins)
    intervals = _bootstrap(comparisons, index, resamples, seed)
    rows = []
    for m, i in index.items():
        n, won = int(wins[i].sum() + wins[:, i].sum()), int(wins[i].sum())
        info = next(x for x in methods if x["method"] == m)
        rows.append({**info, "comparisons": n, "wins": won, "win_rate": won / n if n else None,
                     "win_rate_ci": wilson(won, n), "bt": float(scores[i]),
                     "bt_ci": None if intervals is None else [float(v) for v in intervals[i]]})
    checks = [a for a in answers if a["kind"] == "check"]
    return {
        "name": "human-2afc",
        "description": "2AFC human study: which of two reconstructions is closer to the original",
        "participants": {"started": participants if participants is not None else len(status),
                         "answered": len(status), "kept": len(keep),
                         "excluded": sum(s == "excluded" for s in status.values()),
                         "unchecked": sum(s == "unchecked" for s in status.values())},
        "attention": {"answered": len(checks), "failed": sum(a["answer"] != a["correct"] for a in checks),
                      "max_failures": max_failures},
        "comparisons": len(comparisons),
        "methods": rows,
        "pairwise_wins": {a: {b: int(wins[i, j]) for b, j in index.items() if wins[i, j]} for a, i in index.items()},
        "meta": {"win_rate_ci": f"Wilson {CONFIDENCE:.0%}",
                 "bt": "Bradley-Terry log-strengths (MM, one virtual win and loss against a reference of 0)",
                 "bt_ci": f"percentile bootstrap over participants, {resamples} resamples, seed {seed}",
                 "exclusion": f"more than {max_failures} failed attention checks; participants with no check answered are left out"},
    }


def human_table(doc: dict[str, Any]) -> str:
    """A Markdown table of the document: one row per method."""
    def ci(v: list[float] | None, fmt: str) -> str:
        return "—" if v is None else f"[{v[0]:{fmt}}, {v[1]:{fmt}}]"

    p = doc["participants"]
    lines = [f"participants: {p['started']} started, {p['kept']} kept, {p['excluded']} excluded "
             f"(failed attention checks), {p['unchecked']} without a check answered; "
             f"{doc['comparisons']} comparisons", "",
             "| method | bpp | comparisons | win rate | 95% CI | BT score | 95% CI |", "|---|---|---|---|---|---|---|"]
    for m in sorted(doc["methods"], key=lambda r: -r["bt"]):
        rate = "—" if m["win_rate"] is None else f"{m['win_rate']:.3f}"
        bpp = "—" if m.get("bpp") is None else f"{m['bpp']:.5f}"
        lines.append(f"| {m['method']} | {bpp} | {m['comparisons']} | {rate} | {ci(m['win_rate_ci'], '.3f')} | "
                     f"{m['bt']:.2f} | {ci(m['bt_ci'], '.2f')} |")
    return "\n".join(lines)


def human_figure(doc: dict[str, Any]) -> Any:
    """Two panels: win rate per method (Wilson intervals), and Bradley-Terry score against bpp."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    rows = doc["methods"]
    names = [r["method"] for r in rows]
    rates = [r["win_rate"] or 0.0 for r in rows]
    err = np.array([[r["win_rate"] - r["win_rate_ci"][0], r["win_rate_ci"][1] - r["win_rate"]]
                    if r["win_rate_ci"] else [0.0, 0.0] for r in rows]).T
    left.barh(names, rates, xerr=err, color="#4c72b0", capsize=3)
    left.axvline(0.5, color="#999", lw=0.8, ls=":")
    left.set_xlim(0, 1)
    left.set_xlabel("win rate (Wilson 95%)")
    for codec in dict.fromkeys(r["codec"] for r in rows):
        pts = sorted((r["bpp"], r["bt"], r["bt_ci"]) for r in rows if r["codec"] == codec and r.get("bpp"))
        if not pts:
            continue
        x, y = [p[0] for p in pts], [p[1] for p in pts]
        yerr = np.array([[p[1] - p[2][0], p[2][1] - p[1]] if p[2] else [0.0, 0.0] for p in pts]).T
        right.errorbar(x, y, yerr=yerr, marker="o", capsize=3, label=codec, ls="-" if codec == "semcodec" else "--")
    right.set_xscale("log")
    right.set_xlabel("bits per pixel (log)")
    right.set_ylabel("Bradley-Terry score")
    right.legend(fontsize="small")
    p = doc["participants"]
    fig.suptitle(f"2AFC: {p['kept']} participants kept, {p['excluded']} excluded, {doc['comparisons']} comparisons",
                 fontsize="medium")
    return fig


def study_results(run_dir: str, answers: str, *, max_failures: int = 0, resamples: int = BOOTSTRAP,
                  seed: int = 0) -> dict[str, Any]:
    """``analyse`` of an answers file, checked to belong to a study of the eval run ``run_dir``."""
    from ...errors import InputError
    from ..rundir import load_run
    from .design import run_identity
    from .store import AnswerStore

    config, _, _ = load_run(run_dir)
    store = AnswerStore(answers)
    if store.study.get("run") != run_identity(config):
        raise InputError(f"{answers} holds the answers of a study of another eval run than {run_dir}")
    doc = analyse(store.answers(), store.study["methods"], participants=store.participants()["started"],
                  max_failures=max_failures, resamples=resamples, seed=seed)
    doc["meta"].update({"run_dir": str(run_dir), "answers": str(answers), "images": len(store.study["images"]),
                        "study_fingerprint": store.study["fingerprint"],
                        "finished_participants": store.participants()["finished"]})
    return doc


def export_answers(answers: str, path: str) -> int:
    """Write every answer of an answers file to ``path`` as JSON Lines; returns how many."""
    import json

    from ...fileio import write_atomic
    from .store import AnswerStore

    rows = AnswerStore(answers).answers()
    write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode())
    return len(rows)
