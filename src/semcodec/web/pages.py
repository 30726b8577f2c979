"""The pages: the demo (``/``), the inspect page (``/inspect``) and the API's documentation
(``/api``, rendered from the OpenAPI schema at ``/openapi.json``).

Pages are static HTML with their script and style under ``/static``; scripts put every text
into the page as text (``textContent``), never as markup, and the Content-Security-Policy
allows scripts from the server's own files only. The API page is rendered here, every string
HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from .service import STATIC

router = APIRouter(include_in_schema=False)

_NO_CACHE = {"Cache-Control": "no-cache"}


def page(name: str) -> FileResponse:
    """A static HTML page."""
    return FileResponse(STATIC / name, media_type="text/html; charset=utf-8", headers=_NO_CACHE)


@router.get("/")
def demo_page() -> FileResponse:
    return page("demo.html")


@router.get("/inspect")
def inspect_page() -> FileResponse:
    return page("inspect.html")


@router.get("/api")
def api_page(request: Request) -> HTMLResponse:
    return HTMLResponse(render_api(request.app.openapi()), headers=_NO_CACHE)


def _fields(operation: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, where, description) of an operation's query parameters and form fields."""
    out = [(p["name"], p["in"], p.get("description", "")) for p in operation.get("parameters", [])]
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        ref = media.get("schema", {}).get("$ref", "")
        body = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], media.get("schema", {}))
        for name, prop in body.get("properties", {}).items():
            out.append((name, "form" if "multipart" in str(content) else "json", prop.get("description", "")))
    return out


def render_api(schema: dict[str, Any]) -> str:
    """One page listing every operation of ``schema`` with its fields and responses."""
    parts = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            rows = "".join(f"<tr><td><code>{escape(n)}</code></td><td>{escape(w)}</td><td>{escape(d)}</td></tr>"
                           for n, w, d in _fields(op, schema))
            codes = ", ".join(escape(str(c)) for c in op.get("responses", {}))
            parts.append(
                f"<section><h2><code>{escape(method.upper())} {escape(path)}</code></h2>"
                f"<p><b>{escape(op.get('summary', ''))}</b></p><p>{escape(op.get('description', ''))}</p>"
                + (f"<table><tr><th>field</th><th>in</th><th>meaning</th></tr>{rows}</table>" if rows else "")
                + f"<p class='note'>responses: {codes}</p></section>")
    info = schema.get("info", {})
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
        f"<title>semcodec API</title><link rel='stylesheet' href='/static/style.css'></head><body>"
        "<nav><a href='/'>demo</a> <a href='/inspect'>inspect</a> <a href='/study'>study</a> <a href='/api'>API</a></nav>"
        f"<h1>{escape(info.get('title', 'semcodec'))} API {escape(str(info.get('version', '')))}</h1>"
        f"<p>{escape(info.get('description', ''))}</p>"
        "<p>Machine-readable: <a href='/openapi.json'>/openapi.json</a> (OpenAPI). Errors are JSON: "
        "<code>{\"error\": sentence, \"kind\": class, \"status\": code}</code>.</p>"
        + "".join(parts) + "</body></html>")
