"""The cost recorder: calls, wall time and usage per stage."""

from __future__ import annotations

import itertools

import pytest

from semcodec.models.costs import STAGES, CostRecorder, report_usage


def clocked() -> CostRecorder:
    ticks = itertools.count(0.0, 0.5)  # every clock read advances half a second
    return CostRecorder(clock=lambda: next(ticks))


def test_wrapped_calls_are_counted_and_timed():
    costs = clocked()
    double = costs.wrap("generate", lambda x: 2 * x)
    assert [double(1), double(2)] == [2, 4]
    stage = costs.as_dict()["stages"]["generate"]
    assert stage == {"calls": 2, "seconds": 1.0, "tokens_in": 0, "tokens_out": 0, "images": 0}
    assert costs.calls("generate") == 2 and costs.calls("judge") == 0


def test_backends_report_usage_to_the_call_in_progress():
    costs = clocked()

    def api_call(prompt: str) -> str:
        report_usage(tokens_in=len(prompt), tokens_out=3, images=1)
        return "ok"

    report_usage(tokens_in=99)  # nothing being recorded: ignored
    costs.wrap("describe", api_call)("hello")
    d = costs.as_dict()
    assert d["stages"]["describe"]["tokens_in"] == 5 and d["stages"]["describe"]["images"] == 1
    assert d["total"]["tokens_in"] == 5 and d["total"]["tokens_out"] == 3


def test_nested_calls_report_to_the_innermost_stage():
    costs = clocked()
    describe = costs.wrap("describe", lambda: report_usage(tokens_out=7))
    judge = costs.wrap("judge", lambda: describe())
    judge()
    stages = costs.as_dict()["stages"]
    assert stages["describe"]["tokens_out"] == 7 and stages["judge"]["tokens_out"] == 0
    assert stages["judge"]["calls"] == 1 and stages["describe"]["calls"] == 1


def test_a_failing_call_is_still_counted():
    costs = clocked()

    def boom():
        raise RuntimeError("server down")

    with pytest.raises(RuntimeError):
        costs.wrap("revise", boom)()
    assert costs.calls("revise") == 1


def test_as_dict_lists_every_known_stage_then_others():
    costs = CostRecorder()
    costs.record("upscale", 0.25, images=2)
    costs.record("judge", 0.5)
    d = costs.as_dict()
    assert list(d["stages"]) == [*STAGES, "upscale"]
    assert d["total"] == {"calls": 2, "seconds": 0.75, "tokens_in": 0, "tokens_out": 0, "images": 2}


@pytest.mark.parametrize("stage", ["", "Describe", "two words", None])
def test_bad_stage_names_are_refused(stage):
    with pytest.raises(ValueError):
        CostRecorder().record(stage, 1.0)
