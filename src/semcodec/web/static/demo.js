// The demo page: start a demo job, poll its progress, show its result.
"use strict";

const $ = (id) => document.getElementById(id);

async function setup() {
  try {
    const health = await api("/api/health");
    $("models").textContent = `Models: describer ${health.describer}, generator ${health.generator}.`;
    for (const c of health.coders) $("coder").append(el("option", {value: c}, c));
    for (const s of health.strategies) $("strategy").append(el("option", {value: s}, s));
    $("seeds").max = health.limits.max_seeds;
    $("reflect").max = health.limits.max_reflect;
    for (const ex of await api("/api/examples")) $("example").append(el("option", {value: ex.name}, ex.name));
  } catch (e) {
    showError($("error"), e);
  }
  $("encode").addEventListener("submit", (event) => { event.preventDefault(); run(); });
}

function formData() {
  const data = new FormData();
  const file = $("image").files[0];
  if (file) data.append("image", file);
  else if ($("example").value) data.append("example", $("example").value);
  if ($("budget").value !== "") data.append($("unit").value, $("budget").value);
  for (const name of ["coder", "strategy", "seeds", "reflect"]) data.append(name, $(name).value);
  return data;
}

async function run() {
  $("error").classList.add("hidden");
  $("result").classList.add("hidden");
  $("go").disabled = true;
  $("progress").classList.remove("hidden");
  $("stage").textContent = "uploading";
  try {
    const started = await api("/api/demo", {method: "POST", body: formData()});
    const result = await poll(started.status);
    show(result);
  } catch (e) {
    showError($("error"), e);
  } finally {
    $("go").disabled = false;
    $("progress").classList.add("hidden");
  }
}

async function poll(url) {
  for (;;) {
    const job = await api(url);
    if (job.state === "done") return job.result;
    if (job.state === "failed") throw new Error(job.error.error);
    const where = job.state === "queued" ? `queued (${job.position} ahead)` : job.stage;
    $("stage").textContent = `${where}, ${fmt(job.elapsed, 1)} s`;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function figure(url, caption, extra) {
  const src = pngUrl(url);
  return el("figure", extra || {}, src ? el("img", {src: src, alt: caption}) : null, el("figcaption", {}, caption));
}

function download(b64) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], {type: "application/octet-stream"}));
  return el("a", {href: url, download: "image.smc", id: "download"}, `download image.smc (${bytes.length} bytes)`);
}

function show(r) {
  const s = r.summary;
  const box = $("result");
  box.replaceChildren();
  const figures = [
    figure(r.original.url, `original, ${r.original.width}x${r.original.height}`),
    figure(r.decoded.url, `semcodec: ${s.bytes} bytes, ${fmt(s.ubpp, 1)} µbpp`, {id: "decoded"}),
    ...r.baselines.map((b) => figure(b.url, `${b.codec} at its lowest setting (q=${b.quality}): ${b.bytes} bytes, ` +
                                          `${fmt(b.ubpp, 0)} µbpp (${fmt(b.ubpp / s.ubpp, 0)}x semcodec)`)),
  ];
  box.append(el("h2", {}, "The file"), el("p", {class: "lead", id: "size"},
    `${s.bytes} bytes = ${s.file_bits} bits, ${fmt(s.ubpp, 1)} µbpp at ${s.width}x${s.height}`),
    download(r.smc));
  box.append(el("h2", {}, "Images"), el("div", {class: "grid"}, figures));
  if (r.original.scaled) box.append(el("p", {class: "note"}, "Images are shown scaled down; sizes and rates are those of the full-size files."));
  box.append(el("h2", {}, "Text"),
    el("p", {}, "Description:"), el("div", {class: "text", id: "description"}, s.description),
    el("p", {}, "Kept within the budget:"), el("div", {class: "text", id: "kept"}, s.kept_text),
    el("p", {}, "Rendered by the decoder:"), el("div", {class: "text"}, r.decoded.prompt));
  box.append(el("h2", {}, "Header and bits"), table([
    ["format version", s.version], ["coder", s.coder], ["prior", s.prior], ["generator profile", `${s.profile} (${s.profile_name})`],
    ["width", s.width], ["height", s.height], ["seed", s.seed], ["header bits", s.header_bits],
    ["payload bits", s.payload_bits], ["file bits", s.file_bits], ["bytes", s.bytes], ["µbpp", s.ubpp]]));
  box.append(el("h2", {}, "The file in hex"), el("p", {class: "hex", id: "hex"}, r.hex.match(/../g).join(" ")));
  if (r.search) box.append(candidates(r.search));
  if (r.notes.length) box.append(el("h2", {}, "Notes"), el("ul", {class: "note"}, r.notes.map((n) => el("li", {}, n))));
  box.classList.remove("hidden");
}

function candidates(search) {
  const figs = search.candidates.map((c, i) => figure(c.url,
    [`#${i}${c.chosen ? " (chosen)" : ""} ${c.stage}, iteration ${c.iteration}, seed ${c.seed}; score ${fmt(c.score, 4)}; `,
     `${c.text_bits} text bits, ${c.file_bits} file bits`, el("div", {class: "text"}, c.prompt)],
    c.chosen ? {class: "chosen"} : {}));
  return el("section", {id: "candidates"}, el("h2", {}, `Search: ${search.candidates.length} candidates scored by ${search.judge}`),
            el("div", {class: "grid"}, figs));
}

setup();
