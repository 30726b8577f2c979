// Shared helpers of the semcodec pages. Every text goes into the page as a text node (never as
// markup), so descriptions and file names that contain HTML are shown, not run.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A data: URL of a PNG made by the server, or null for anything else.
function pngUrl(url) {
  return typeof url === "string" && url.startsWith("data:image/png;base64,") ? url : null;
}

function fmt(value, digits) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(digits === undefined ? 2 : digits);
  return String(value);
}

// fetch() that returns parsed JSON, or throws an Error with the server's one sentence.
async function api(path, options) {
  let response;
  try {
    response = await fetch(path, Object.assign({credentials: "same-origin"}, options || {}));
  } catch (e) {
    throw new Error("the server cannot be reached; is it still running?");
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("application/json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error : `the server answered ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function showError(box, error) {
  box.textContent = error && error.message ? error.message : String(error);
  box.classList.remove("hidden");
}

function table(rows) {
  return el("table", {}, rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, fmt(v)))));
}
