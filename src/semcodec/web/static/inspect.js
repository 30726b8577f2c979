// The inspect page: send a .smc file to /api/inspect and show its fields.
"use strict";

const drop = document.getElementById("drop");
const errorBox = document.getElementById("error");
const result = document.getElementById("result");

async function inspectFile(file) {
  errorBox.classList.add("hidden");
  result.classList.add("hidden");
  const data = new FormData();
  data.append("file", file);
  try {
    const s = await api("/api/inspect", {method: "POST", body: data});
    result.replaceChildren(
      el("h2", {}, file.name),
      el("p", {id: "rate"}, `${s.bytes} bytes = ${s.file_bits} bits, ${fmt(s.ubpp, 1)} µbpp at ${s.width}x${s.height}`),
      el("p", {}, "Text:"), el("div", {class: "text", id: "text"}, s.text),
      table([["format version", s.version], ["coder", s.coder], ["prior", s.prior],
             ["generator profile", `${s.profile} (${s.profile_name})`], ["custom hash", s.custom_hash],
             ["width", s.width], ["height", s.height], ["seed", s.seed], ["header bits", s.header_bits],
             ["payload bits", s.payload_bits], ["file bits", s.file_bits], ["bytes", s.bytes], ["µbpp", s.ubpp]]));
    result.classList.remove("hidden");
  } catch (e) {
    showError(errorBox, e);
  }
}

document.getElementById("file").addEventListener("change", (e) => { if (e.target.files[0]) inspectFile(e.target.files[0]); });
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files[0]) inspectFile(e.dataTransfer.files[0]);
});
