#!/usr/bin/env python
"""The web app under load, with fake models: requests/s and latency of POST /api/encode at 1, 4 and
16 concurrent clients, errors counted; the pages' weight in bytes; the browser's time to first result.

    python benchmarks/bench_web.py [--seconds 10] [--max-requests 1000] [--queue 4] [--backoff 0.1] [--browser 5]

It starts ``semcodec serve`` with fake models (``--describer fake:x --generator fake:x``) on
127.0.0.1 and a free port, in its own process, and sends it requests from client threads (httpx)
in this one, on 127.0.0.1 only. Each concurrency level stops after ``--seconds`` or
``--max-requests``, whichever comes first. Two payloads: ``image`` uploads examples/lighthouse.png
(768x512, 5 KB; the server decodes it, describes it and codes the text), ``text`` sends a
description (the codec path alone). With fake models this measures the server (HTTP, multipart,
image loading, the one model thread, its queue), not a model: a real describer or generator adds
its own seconds per request, and the queue then refuses (503) what it cannot hold.

The table counts, per level: successful requests, 503 (the queue was full: refused by design; the
refused client waits ``--backoff`` seconds, as a client honouring Retry-After would, instead of
retrying in a tight loop), other errors, successful requests per second, and latency percentiles
of the successful ones.
``--browser N`` (needs Playwright and Debian's Chromium) loads the demo, uploads the image and
waits for the result N times: median and range of the time from the click to the result.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGE = ROOT / "examples" / "lighthouse.png"
TEXT = "A lighthouse on a rocky cliff above a stormy sea, seagulls circling, dramatic clouds at dusk."
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def start_server(queue: int) -> tuple[subprocess.Popen, str]:
    """``semcodec serve`` with fake models on 127.0.0.1; (process, base URL)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "semcodec", "serve", "--describer", "fake:x", "--generator", "fake:x", "--no-cache",
         "--host", "127.0.0.1", "--port", "0", "--queue", str(queue), "--log-level", "warning"],
        stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    for line in proc.stderr:
        found = re.search(r"serving on (http://\S+?)/ ", line)
        if found:
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            return proc, found.group(1)
    raise SystemExit("semcodec serve did not start")


def load(url: str, clients: int, payload: str, seconds: float, max_requests: int,
         backoff: float = 0.0) -> dict[str, float]:
    """``clients`` threads posting /api/encode until the time or request budget runs out; a client
    refused with 503 waits ``backoff`` seconds before its next request."""
    import httpx

    image = IMAGE.read_bytes()
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    sent = [0]
    latencies: list[float] = []
    codes: dict[int, int] = {}

    def client() -> None:
        with httpx.Client(base_url=url, timeout=60) as c:
            while time.monotonic() < deadline:
                with lock:
                    if sent[0] >= max_requests:
                        return
                    sent[0] += 1
                start = time.perf_counter()
                try:
                    if payload == "image":
                        r = c.post("/api/encode", files={"image": ("lighthouse.png", image, "image/png")}, data={"ubpp": "500"})
                    else:
                        r = c.post("/api/encode", data={"text": TEXT, "ubpp": "500", "size": "768x512"})
                    code = r.status_code
                except httpx.HTTPError:
                    code = 0
                elapsed = time.perf_counter() - start
                with lock:
                    codes[code] = codes.get(code, 0) + 1
                    if code == 200:
                        latencies.append(elapsed)
                if code == 503 and backoff:
                    time.sleep(backoff)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ok = codes.get(200, 0)
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    return {"ok": ok, "busy": codes.get(503, 0), "errors": sum(n for c, n in codes.items() if c not in (200, 503)),
            "rps": ok / wall, "p50": 1000 * q[49], "p95": 1000 * q[94], "p99": 1000 * q[98], "wall": wall}


def page_weight(url: str) -> dict[str, int]:
    """Bytes of each page with the scripts and styles it loads (uncompressed), before any result."""
    import httpx

    out = {}
    with httpx.Client(base_url=url) as c:
        for page in ("/", "/inspect", "/study", "/api"):
            r = c.get(page)
            if r.status_code == 404 and page == "/study":  # this server runs no study: the same page, fetched as a file
                r = c.get("/static/study.html")
            assets = re.findall(r'(?:src|href)=["\'](/static/[^"\']+\.(?:js|css))', r.text)
            out[page] = len(r.content) + sum(len(c.get(a).content) for a in dict.fromkeys(assets))
    return out


def browser_first_result(url: str, runs: int) -> list[float]:
    """Seconds from clicking Encode to the result on the demo page, ``runs`` times."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        for _ in range(runs):
            page = browser.new_page()
            page.goto(url + "/")
            page.wait_for_selector("#coder option[value=ngram]", state="attached")
            page.set_input_files("#image", str(IMAGE))
            start = time.perf_counter()
            page.click("#go")
            page.wait_for_selector("#result:not(.hidden)", timeout=60_000)
            times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    return times


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="Longest run per level.")
    ap.add_argument("--max-requests", type=int, default=1000, help="Most requests per level.")
    ap.add_argument("--backoff", type=float, default=0.1, help="Seconds a client waits after a 503 (0: retry at once).")
    ap.add_argument("--queue", type=int, default=4, help="The server's --queue.")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--browser", type=int, default=0, help="Also time the demo in Chromium this many times.")
    args = ap.parse_args()
    proc, url = start_server(args.queue)
    try:
        print(f"server: semcodec serve --queue {args.queue}, fake models, {url}; load average before: {load_average()}\n")
        print("| payload | clients | ok | 503 busy | other errors | ok req/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for payload in ("image", "text"):
            load(url, 1, payload, 5.0, 3)  # warm up: the prior and the image libraries load on first use
            for n in args.clients:
                r = load(url, n, payload, args.seconds, args.max_requests, args.backoff)
                print(f"| {payload} | {n} | {r['ok']} | {r['busy']} | {r['errors']} | {r['rps']:.1f} | "
                      f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |", flush=True)
        print("\n| page | bytes (HTML + scripts + styles) |\n|---|---:|")
        for page, size in page_weight(url).items():
            print(f"| {page} | {size} |")
        print(f"\nload average after: {load_average()}")
        if args.browser:
            t = browser_first_result(url, args.browser)
            print(f"\nbrowser time to first result (demo, lighthouse.png, {len(t)} runs): median {statistics.median(t):.3f} s, "
                  f"min {min(t):.3f} s, max {max(t):.3f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
