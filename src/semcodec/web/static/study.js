// The 2AFC study: consent, then one trial at a time until all are answered.
"use strict";

const $ = (id) => document.getElementById(id);
let current = null;   // the trial on screen: {trial, shownAt}
let busy = false;

function section(name) {
  for (const id of ["intro", "trial", "done"]) $(id).classList.toggle("hidden", id !== name);
}

function loaded(img, url) {
  return new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = () => reject(new Error("an image of this trial did not load; reload the page"));
    img.src = url;
  });
}

async function next() {
  const state = await api("/study/api/next");
  if (state.done) { section("done"); current = null; return; }
  section("trial");
  $("counter").textContent = `Trial ${state.position} of ${state.total}`;
  for (const b of ["choose-left", "choose-right"]) $(b).disabled = true;
  await Promise.all(["reference", "left", "right"].map((role) => loaded($(role), state.images[role])));
  for (const b of ["choose-left", "choose-right"]) $(b).disabled = false;
  current = {trial: state.trial, shownAt: performance.now()};
}

async function choose(choice) {
  if (!current || busy) return;
  busy = true;
  try {
    const ms = Math.round(performance.now() - current.shownAt);
    await api("/study/api/answer", {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify({trial: current.trial, choice: choice, ms: ms})});
    current = null;
    busy = false;  // before next() enables the buttons: a quick click on the next trial must count
    await next();
  } catch (e) {
    showError($("error"), e);
  } finally {
    busy = false;
  }
}

async function start() {
  try {
    await api("/study/api/start", {method: "POST", headers: {"Content-Type": "application/json"},
                                   body: JSON.stringify({consent: $("consent").checked})});
    await next();
  } catch (e) {
    showError($("error"), e);
  }
}

async function resume() {
  try {
    await next();        // a participant who already started (the cookie) goes on where they stopped
  } catch (e) {
    if (e.status !== 401) showError($("error"), e);
    section("intro");
  }
}

$("consent").addEventListener("change", () => { $("start").disabled = !$("consent").checked; });
$("start").addEventListener("click", start);
$("choose-left").addEventListener("click", () => choose("left"));
$("choose-right").addEventListener("click", () => choose("right"));
document.addEventListener("keydown", (e) => {
  if (e.key === "ArrowLeft") choose("left");
  if (e.key === "ArrowRight") choose("right");
});
resume();
