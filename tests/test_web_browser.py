"""Real-browser tests: Debian's Chromium, headless, driven by Playwright, against a real
``semcodec serve`` process on 127.0.0.1 with fake models.

- The demo: upload an image, see the result (description shown as text, never as markup).
- The study: two participants at once, one careful and one not; the server is killed (SIGKILL)
  and restarted mid-study; the answers are still there, the interrupted participant resumes, and
  ``semcodec study human`` counts them (the careless one excluded).

Skipped, with the reason, only where Chromium or Playwright is missing; under CI (CI=true) that
is a failure, since .ci/run installs Chromium.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from web_helpers import FAKE_ARGS, LIGHTHOUSE, NASTY, Server, eval_run

CHROMIUM = "/usr/bin/chromium"
#: Headless, no sandbox (CI runs as root), nothing that reaches the network by itself.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TRIALS, CHECKS = 3, 1


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI installs Chromium, so the browser tests must run there")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as e:
        _unavailable(f"Playwright is not installed ({e}); pip install 'semcodec[test]'")
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        try:
            # Playwright starts Chromium with a fresh temporary --user-data-dir of its own.
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS, timeout=30_000)
        except Error as e:
            _unavailable(f"Chromium cannot start here ({str(e).splitlines()[0]})")
        yield b
        b.close()


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    return eval_run(root), root / "answers.sqlite"


def _serve(run_dir: Path, answers: Path) -> Server:
    return Server(*FAKE_ARGS, "--describer-option", f"text={NASTY}", "--study", run_dir, "--answers", answers,
                  "--trials", TRIALS, "--checks", CHECKS)


def test_demo_upload_shows_the_result(browser, study):
    server = _serve(*study)
    try:
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(server.url + "/")
        page.wait_for_selector("#coder option[value=ngram]", state="attached")
        page.set_input_files("#image", str(LIGHTHOUSE))
        page.fill("#budget", "1000")
        start = time.perf_counter()
        page.click("#go")
        page.wait_for_selector("#result:not(.hidden)")
        first_result = time.perf_counter() - start
        print(f"\ntime to first result in the browser: {first_result:.3f} s")
        assert page.inner_text("#description") == NASTY and page.inner_text("#kept").strip()
        assert page.locator("#bold").count() == 0 and page.evaluate("window.pwned") is None
        assert page.title() == "semcodec demo"
        size = page.inner_text("#size")
        assert "bytes" in size and "µbpp at 768x512" in size
        assert page.evaluate("document.querySelector('#decoded img').naturalWidth") == 768
        assert page.locator("figure img").count() >= 3  # original, decoded, JPEG (and AVIF)
        assert page.get_attribute("#download", "href").startswith("blob:")
        hex_text = page.inner_text("#hex").replace(" ", "")
        assert int(size.split()[0]) == len(hex_text) // 2
        page.close()
    finally:
        server.kill()


def _trial_id(page) -> int:
    return int(page.get_attribute("#left", "src").split("/")[4])


def _answer(page, db: Path, careful: bool, keyboard: bool) -> None:
    """Answer the trial on screen: checks right (careful) or wrong, pairs always left."""
    trial = _trial_id(page)
    with sqlite3.connect(db) as con:
        kind, correct = con.execute("SELECT kind, correct FROM trials WHERE id = ?", (trial,)).fetchone()
    choice = "left" if kind == "pair" else (correct if careful else {"left": "right", "right": "left"}[correct])
    old = page.get_attribute("#left", "src")  # before the click: the next trial may be on screen when it returns
    if keyboard:
        page.keyboard.press("ArrowLeft" if choice == "left" else "ArrowRight")
    else:
        page.click(f"#choose-{choice}")
    page.wait_for_function(
        "old => !document.getElementById('done').classList.contains('hidden') || "
        "(document.getElementById('left').getAttribute('src') !== old && !document.getElementById('choose-left').disabled)",
        arg=old)


def _begin(context, url: str):
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url + "/study")
    page.check("#consent")
    page.click("#start")
    page.wait_for_selector("#trial:not(.hidden) #choose-left:enabled")
    return page


def test_two_participants_a_restart_and_the_analysis(browser, study, cli, tmp_path):
    run_dir, answers = study
    total = TRIALS + CHECKS
    careful_ctx, careless_ctx = browser.new_context(), browser.new_context()
    server = _serve(run_dir, answers)
    try:
        careful, careless = _begin(careful_ctx, server.url), _begin(careless_ctx, server.url)
        for _ in range(total):
            _answer(careful, answers, careful=True, keyboard=False)
        for _ in range(2):
            _answer(careless, answers, careful=False, keyboard=True)
        assert careful.is_visible("#done") and careless.inner_text("#counter") == f"Trial 3 of {total}"
    finally:
        server.kill()  # SIGKILL mid-study: only what was committed survives
    server = _serve(run_dir, answers)
    try:
        careless.goto(server.url + "/study")  # a new port, the same host: the cookie still names the participant
        careless.wait_for_selector("#trial:not(.hidden) #choose-left:enabled")
        assert careless.inner_text("#counter") == f"Trial 3 of {total}"
        while not careless.is_visible("#done"):
            _answer(careless, answers, careful=False, keyboard=True)
        careful.goto(server.url + "/study")
        careful.wait_for_selector("#done:not(.hidden)")
    finally:
        server.kill()
    careful_ctx.close()
    careless_ctx.close()
    with sqlite3.connect(answers) as con:
        rows = con.execute("SELECT participant, COUNT(answer) FROM trials GROUP BY participant").fetchall()
    answered = sorted(n for _, n in rows)
    assert len(rows) >= 2 and answered[-2:] == [total, total]  # the demo test started no participant
    code, out, err = cli("study", "human", run_dir, "--answers", answers, "-o", tmp_path, "--resamples", "20")
    assert code == 0, err
    import json

    doc = json.loads(out)[0]
    assert doc["participants"]["kept"] == 1 and doc["participants"]["excluded"] == 1
    assert doc["comparisons"] == TRIALS and doc["attention"] == {"answered": 2, "failed": 1, "max_failures": 0}
