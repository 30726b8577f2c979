"""The 2AFC human study: its design, the SQLite answer store (concurrent participants, answers
only for issued trials, durable), the analysis (Bradley-Terry, Wilson, exclusions), its web API
and ``semcodec study human``."""

from __future__ import annotations

import io
import json
import random
import threading

import numpy as np
import pytest

from web_helpers import eval_run

pytest.importorskip("imagecodecs")
pytest.importorskip("scipy")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return eval_run(tmp_path_factory.mktemp("study"))


@pytest.fixture(scope="module")
def design(run_dir):
    from semcodec.eval.human.design import StudyDesign

    return StudyDesign(run_dir)


def test_design_methods_pairs_and_draw(design):
    from semcodec.eval.human.design import DEGRADED, ORIGINAL

    names = [m.method for m in design.methods]
    assert names[:2] == ["semcodec 200 bits", "semcodec 400 bits"] and set(names[2:]) <= {"jpeg lowest", "avif lowest"}
    assert all(m.bpp and m.bpp > 0 for m in design.methods)
    pairs = design.pairs()
    assert len(pairs) == len(design.images) * len(names) * (len(names) - 1) // 2
    rng = random.Random(1)
    specs = design.draw({}, trials=5, checks=2, rng=rng)
    checks = [s for s in specs if s.kind == "check"]
    assert len(specs) == 7 and len(checks) == 2 and specs[0].kind == "pair"
    for c in checks:
        assert {c.left, c.right} == {ORIGINAL, DEGRADED} and getattr(c, c.correct) == ORIGINAL
    drawn = [(s.image, *sorted((s.left, s.right))) for s in specs if s.kind == "pair"]
    assert len(set(drawn)) == 5 and set(drawn) <= set(pairs)
    # Pairs shown least often come first: with all but three shown once, those three are drawn.
    fresh = pairs[:3]
    counts = {p: 1 for p in pairs if p not in fresh}
    again = design.draw(counts, trials=3, checks=0, rng=rng)
    assert sorted((s.image, *sorted((s.left, s.right))) for s in again) == sorted(fresh)
    # Stimuli are PNGs of the original's size; the degradation is far from the original.
    original = design.png(design.images[0], ORIGINAL)
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(original)))
    b = np.asarray(Image.open(io.BytesIO(design.png(design.images[0], DEGRADED))))
    assert a.shape == b.shape == (48, 64, 3) and np.abs(a.astype(int) - b).mean() > 5
    for m in names:
        assert Image.open(io.BytesIO(design.png(design.images[0], m))).size == (64, 48)


def test_store_concurrent_participants_and_issued_trials_only(design, tmp_path):
    from semcodec.eval.human.store import AlreadyAnswered, AnswerStore, TrialNotIssued
    from semcodec.errors import InputError

    path = tmp_path / "answers.sqlite"
    store = AnswerStore(path, design.identity())
    ids: list[str] = []
    errors: list[BaseException] = []

    def join() -> None:
        try:
            ids.append(store.add_participant(lambda counts: design.draw(counts, 4, 1)))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=join) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(ids)) == 8
    # Balanced: with 8 x 4 draws over the pairs, no pair is shown twice before every pair is shown once.
    shown = [(t["image"], *sorted((t["left"], t["right"]))) for pid in ids for t in _trials(store, pid) if t["kind"] == "pair"]
    counts = [shown.count(p) for p in design.pairs()]
    assert max(counts) - min(counts) <= 1

    me, other = ids[0], ids[1]
    first = store.next_trial(me)
    with pytest.raises(TrialNotIssued):
        store.answer(other, first["id"], "left", 100)
    with pytest.raises(TrialNotIssued):
        store.trial(other, first["id"])
    store.answer(me, first["id"], "left", 1200)
    store.answer(me, first["id"], "left", 1200)  # a retried request is fine
    with pytest.raises(AlreadyAnswered):
        store.answer(me, first["id"], "right", 10)
    assert store.progress(me) == (1, 5)

    # A restart (a new store object on the same file) keeps everything; another study is refused.
    again = AnswerStore(path, design.identity())
    assert again.progress(me) == (1, 5) and len(again.answers()) == 1
    with pytest.raises(InputError, match="another study"):
        AnswerStore(path, {**design.identity(), "fingerprint": "other"})
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 10)
    with pytest.raises(InputError, match="not a semcodec study answers file"):
        AnswerStore(tmp_path / "junk.sqlite")


def _trials(store, pid):
    import sqlite3

    db = sqlite3.connect(store.path)
    rows = db.execute("SELECT image, left, right, kind FROM trials WHERE participant = ?", (pid,)).fetchall()
    db.close()
    return [dict(zip(("image", "left", "right", "kind"), r)) for r in rows]


def test_bradley_terry_is_the_penalised_maximum_likelihood():
    from scipy.optimize import minimize

    from semcodec.eval.human.analysis import bradley_terry

    wins = np.array([[0, 7, 9, 3], [2, 0, 5, 1], [0, 4, 0, 6], [6, 8, 2, 0]], dtype=float)

    def nll(s):  # the model with one virtual win and loss against a reference of score 0
        d = s[:, None] - s[None, :]
        return -(wins * -np.logaddexp(0, -d)).sum() - (-np.logaddexp(0, -s) - np.logaddexp(0, s)).sum()

    expected = minimize(nll, np.zeros(4), method="BFGS", options={"gtol": 1e-10}).x
    assert np.allclose(bradley_terry(wins), expected, atol=1e-5)
    # Perfect separation still gives finite scores, in the right order.
    scores = bradley_terry(np.array([[0, 5], [0, 0]]))
    assert np.isfinite(scores).all() and scores[0] > 0 > scores[1]


def test_analysis_win_rates_intervals_and_exclusions():
    from semcodec.eval.human.analysis import analyse, wilson

    assert wilson(0, 0) is None
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)

    methods = [{"method": m, "codec": m.split()[0], "setting": "x", "bpp": b}
               for m, b in (("semcodec a", 1e-4), ("jpeg lowest", 0.2))]
    answers = []
    for p, careful in (("p1", True), ("p2", True), ("p3", False), ("p4", None)):
        if careful is not None:
            answers.append({"participant": p, "kind": "check", "image": "i", "left": "original", "right": "degraded",
                            "correct": "left", "answer": "left" if careful else "right", "ms": 500, "position": 0})
        for i in range(5):
            answers.append({"participant": p, "kind": "pair", "image": "i", "left": "jpeg lowest", "right": "semcodec a",
                            "correct": None, "answer": "left" if i < 4 else "right", "ms": 900, "position": i + 1})
    doc = analyse(answers, methods, participants=5, resamples=200)
    assert doc["participants"] == {"started": 5, "answered": 4, "kept": 2, "excluded": 1, "unchecked": 1}
    assert doc["attention"] == {"answered": 3, "failed": 1, "max_failures": 0}
    assert doc["comparisons"] == 10
    jpeg = next(m for m in doc["methods"] if m["method"] == "jpeg lowest")
    assert (jpeg["wins"], jpeg["comparisons"], jpeg["win_rate"]) == (8, 10, 0.8)
    assert jpeg["win_rate_ci"] == [pytest.approx(low), pytest.approx(high)]
    assert jpeg["bt_ci"][0] <= jpeg["bt"] <= jpeg["bt_ci"][1] and jpeg["bt"] > 0
    assert doc["pairwise_wins"] == {"semcodec a": {"jpeg lowest": 2}, "jpeg lowest": {"semcodec a": 8}}
    lenient = analyse(answers, methods, max_failures=1, resamples=0)
    assert lenient["participants"]["kept"] == 3 and lenient["methods"][0]["bt_ci"] is None


def test_study_over_http_is_blind_and_accepts_only_issued_trials(run_dir, tmp_path):
    from fastapi.testclient import TestClient

    from semcodec.web.app import create_app
    from semcodec.web.settings import StudySettings, WebSettings
    from web_helpers import fake_models

    token = "t" * 24
    settings = WebSettings(study=StudySettings(str(run_dir), str(tmp_path / "a.sqlite"), trials=3, checks=1, admin_token=token))
    app = create_app(fake_models(), settings)
    with TestClient(app) as alice, TestClient(app) as bob:
        assert alice.get("/study/api/next").status_code == 401
        refused = alice.post("/study/api/start", json={"consent": False})
        assert refused.status_code == 400 and "consent" in refused.json()["error"]
        started = alice.post("/study/api/start", json={"consent": True})
        assert started.json() == {"answered": 0, "total": 4, "done": False}
        cookie = started.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/study" in cookie
        bob.post("/study/api/start", json={"consent": True})
        trial = alice.get("/study/api/next").json()
        text = json.dumps(trial)
        assert not any(m in text for m in ("semcodec", "jpeg", "avif", "original", "degraded", "im0", "im1"))
        for role in ("reference", "left", "right"):
            png = alice.get(trial["images"][role])
            assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert bob.get(trial["images"]["left"]).status_code == 403
        assert bob.post("/study/api/answer", json={"trial": trial["trial"], "choice": "left"}).status_code == 403
        assert alice.post("/study/api/answer", json={"trial": trial["trial"], "choice": "up"}).status_code == 422
        while "trial" in trial:
            done = alice.post("/study/api/answer", json={"trial": trial["trial"], "choice": "left", "ms": 700}).json()
            trial = alice.get("/study/api/next").json()
        assert done == {"answered": 4, "total": 4, "done": True} and trial["done"]
        assert alice.get("/study/api/export").status_code == 403
        assert alice.get("/study/api/export", headers={"Authorization": "Bearer wrong"}).status_code == 403
        export = alice.get("/study/api/export", headers={"Authorization": f"Bearer {token}"}).json()
        assert len(export["answers"]) == 4 and export["participants"] == {"started": 2, "finished": 1}


def test_study_human_command(run_dir, tmp_path, cli):
    from semcodec.eval.human.design import StudyDesign
    from semcodec.eval.human.store import AnswerStore

    design = StudyDesign(run_dir)
    store = AnswerStore(tmp_path / "a.sqlite", design.identity())
    for careful in (True, True, False):
        pid = store.add_participant(lambda counts: design.draw(counts, 6, 2))
        while (t := store.next_trial(pid)) is not None:
            choice = (t["correct"] if careful else {"left": "right", "right": "left"}[t["correct"]]) if t["kind"] == "check" else "left"
            store.answer(pid, t["id"], choice, 800)
    store.add_participant(lambda counts: design.draw(counts, 6, 2))  # started, answered nothing
    code, out, err = cli("study", "human", run_dir, "--answers", tmp_path / "a.sqlite", "-o", tmp_path / "out",
                         "--resamples", "50", "--export", tmp_path / "answers.jsonl")
    assert code == 0, err
    exported = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert len(exported) == 3 * 8 and {"participant", "kind", "left", "right", "answer", "ms"} <= set(exported[0])
    doc = json.loads(out)[0]
    assert doc["participants"] == {"started": 4, "answered": 3, "kept": 2, "excluded": 1, "unchecked": 0}
    assert doc["comparisons"] == 12 and sum(m["wins"] for m in doc["methods"]) == 12
    assert (tmp_path / "out" / "human.png").stat().st_size > 1000
    assert "1 excluded (failed attention checks)" in err
    code, _, err = cli("report", run_dir, "--human", tmp_path / "out" / "human.json", "-o", tmp_path / "r.html")
    assert code == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Human study (2AFC)" in html and "<b>1 excluded</b>" in html and "semcodec 200 bits" in html
    code, _, err = cli("report", run_dir, "--human", tmp_path / "out" / "human.png", "-o", tmp_path / "r.html")
    assert code == 5 and "human study results" in err
    other = eval_run(tmp_path / "other")
    code, _, err = cli("study", "human", other, "--answers", tmp_path / "a.sqlite", "-o", tmp_path / "out2")
    assert code == 5 and "another eval run" in err


def test_classical_methods_come_from_bench_results(run_dir, design):
    from semcodec.eval.bench import run_bench
    from semcodec.eval.human.design import StudyDesign
    from semcodec.eval.rundir import load_run

    config, _, _ = load_run(run_dir)
    docs = run_bench(config["dataset"], codecs=["jpeg"], points=[None, 1.0], metrics=[], progress=False)
    study = StudyDesign(run_dir, docs)
    methods = {m.method: m for m in study.methods}
    assert set(methods) == {"semcodec 200 bits", "semcodec 400 bits", "jpeg lowest", "jpeg 1 bpp"}
    rows = [r for r in docs[0]["per_image"] if r["setting"] == "1 bpp"]
    assert methods["jpeg 1 bpp"].bpp == pytest.approx(np.mean([r["bpp"] for r in rows]))
    assert study.identity()["fingerprint"] != design.identity()["fingerprint"]
    from semcodec.eval.baselines import get_codec
    from PIL import Image

    image = rows[0]["image"]
    expected = get_codec("jpeg").run(study.original(image), rows[0]["quality"]).decoded
    shown = np.asarray(Image.open(io.BytesIO(study.png(image, "jpeg 1 bpp"))))
    assert np.array_equal(shown, expected)
