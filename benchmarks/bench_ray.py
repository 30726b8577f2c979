#!/usr/bin/env python
"""Benchmark batch work on Ray against the in-process run: throughput, per-item overhead, the
driver's memory, cluster start-up, and how many records per second the driver can write.

    python benchmarks/bench_ray.py [--images 40] [--delay 0.25] [--workers 1,2] [--size 768x512]

Prints Markdown tables to stdout, progress to stderr. Needs the ``ray`` extra. Every row runs in
a fresh process (so that memory high-water marks and Ray state start clean), over the same
folder of synthetic photo-like PNGs, as ``semcodec encode-dir`` does it (``batch.collection``):
read the file on the driver, send its bytes, decode and encode on a worker, send the .smc back,
write it and an fsynced manifest record on the driver. The describer is ``fake:x`` with
``delay=D``: each image costs exactly D seconds of "model work" (a sleep, standing for a GPU
call), so any time beyond D per image is the path's own overhead.

- **Throughput**: images per second over the whole run, and in the steady state (from the
  W-th record to the last, for W workers: it leaves out start-up, while Ray's actors start and
  load their models).
- **Per-item overhead**: steady-state seconds per image per worker, minus D.
- **Start-up**: ``ray.init`` of a local cluster (loopback), and the time to the first record
  (actor start, first model load, first item).
- **Driver memory**: the driver's peak resident set size (``ru_maxrss``), which includes Ray's
  client libraries when Ray is used.
- **Driver writes**: records per second that the driver can write (``CollectionJob.record``:
  an output file written atomically, then a JSON line appended and fsynced), with a 20-byte .smc
  (encode-dir) and with a 1 MB PNG (eval writes each decoded image), measured without workers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _tiny import ROOT, log, machine_line, median, print_table  # noqa: E402  (sets src on the path)

# A local cluster for the benchmark binds to loopback (read by Ray when it is imported).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def make_images(folder: Path, n: int, width: int, height: int) -> None:
    """``n`` noisy gradient PNGs (about as large as a photo's PNG)."""
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        rng = np.random.default_rng(i)
        y, x = np.mgrid[0:height, 0:width]
        img = np.stack([x * 255 / width, y * 255 / height, (x + y + 40 * i) % 256], -1)
        img = img + rng.normal(0, 12, (height, width, 3))
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(folder / f"im{i:04d}.png")


class Timed:
    """A job that notes when each record is written."""

    def __init__(self, job) -> None:
        self.job, self.times = job, []

    def __getattr__(self, name):
        return getattr(self.job, name)

    def record(self, item, result):
        ok = self.job.record(item, result)
        self.times.append(time.perf_counter())
        return ok


def one_run(folder: str, out: str, delay: float, workers: int) -> dict:
    """One encode-dir run in this process: ``workers`` 0 = in-process, else Ray workers."""
    from semcodec.batch.collection import encode_job
    from semcodec.batch.driver import drive
    from semcodec.batch.local import LocalExecutor
    from semcodec.codec import Budget
    from semcodec.pipeline import EncodeConfig, ModelsConfig, RuntimeConfig

    models = ModelsConfig(describer="fake:x", generator="fake:x", options={"describer": {"delay": delay}})
    job = Timed(encode_job(folder, out, models, EncodeConfig(budget=Budget(max_bits=200)), RuntimeConfig(cache=False)))
    info: dict = {}
    if workers:
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        import ray

        info["import_s"] = time.perf_counter() - start
        start = time.perf_counter()
        ray.init(address="local", num_cpus=max(2, workers), include_dashboard=False, log_to_driver=False,
                 logging_level="error")
        info["init_s"] = time.perf_counter() - start
        info["rss_before_ray_mb"] = rss0 / 1024
        from semcodec.batch.cluster import ClusterConfig, RayExecutor

        executor = RayExecutor(ClusterConfig("auto", workers=workers))
    else:
        executor = LocalExecutor()
    start = time.perf_counter()
    stats = drive(job, executor, progress=False)
    t = job.times
    w = max(workers, 1)  # the first w records arrive together (each worker's first item)
    info.update(n=len(t), seconds=stats.seconds, first_s=t[0] - start, steady_n=len(t) - w, steady_s=t[-1] - t[w - 1],
                ok=stats.ok,
                maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if workers:
        start = time.perf_counter()
        ray.shutdown()
        info["shutdown_s"] = time.perf_counter() - start
    return info


def driver_writes(out: str, n: int, png_bytes: int) -> float:
    """Records per second of ``CollectionJob.record`` with an output of ``png_bytes`` bytes."""
    from semcodec.batch.collection import CollectionJob
    from semcodec.batch.items import WorkItem

    src = Path(out) / "in"
    src.mkdir(parents=True)
    (src / "a.png").write_bytes(b"")
    job = CollectionJob("bench", str(src), str(Path(out) / "run"), {}, None, suffixes=frozenset({".png"}),
                        what="images", out_suffix=".bin")
    record = {"status": "ok", "version": 1, "coder": "ngram", "prior": "ngram-v1", "profile": 1, "width": 768,
              "height": 512, "seed": 0, "text": "a red fox in the snow under a pale winter sky", "bytes": 20,
              "ubpp": 406.9, "description": "a red fox in the snow under a pale winter sky, trees behind",
              "generator": "sdxl-turbo", "notes": [], "timings": {"seconds": 1.234, "describe": 1.2}}
    data = os.urandom(png_bytes)
    start = time.perf_counter()
    for i in range(n):
        job.names[str(i)] = f"{i}.bin"
        job.record(WorkItem(str(i), str(i)), {"record": dict(record), "data": data})
    return n / (time.perf_counter() - start)


def child(args: list[str]) -> dict:
    """Run this script's ``--one`` mode in a fresh interpreter; its JSON line."""
    proc = subprocess.run([sys.executable, __file__, "--one", *args], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--delay", type=float, default=0.25, help="seconds of fake model work per image")
    ap.add_argument("--workers", default="1,2", help="Ray worker counts to measure")
    ap.add_argument("--size", default="768x512")
    ap.add_argument("--records", type=int, default=300, help="records written in the driver-writes test")
    ap.add_argument("--runs", type=int, default=1, help="runs of each row (the median is shown)")
    ap.add_argument("--one", nargs=4, metavar=("FOLDER", "OUT", "DELAY", "WORKERS"), help=argparse.SUPPRESS)
    ap.add_argument("--writes", nargs=3, metavar=("OUT", "N", "BYTES"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one_run(a.one[0], a.one[1], float(a.one[2]), int(a.one[3]))))
        return
    if a.writes:
        print(json.dumps({"per_s": driver_writes(a.writes[0], int(a.writes[1]), int(a.writes[2]))}))
        return
    width, height = (int(v) for v in a.size.split("x"))
    workers = [int(w) for w in a.workers.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="bench_ray_"))
    make_images(tmp / "imgs", a.images, width, height)
    png = sum(p.stat().st_size for p in (tmp / "imgs").iterdir()) / a.images
    print(f"{a.images} PNGs of {width}x{height} (mean {png / 1e6:.2f} MB); {machine_line()}\n")
    rows, startup = [], []
    for delay in (a.delay, 0.0):
        for w in [0, *workers]:
            runs = []
            for r in range(a.runs):
                log(f"delay {delay} s, {'in-process' if not w else f'{w} Ray workers'}, run {r + 1}")
                runs.append(child([str(tmp / "imgs"), str(tmp / f"out-{delay}-{w}-{r}"), str(delay), str(w)]))
            rows.append(_row(delay, w, runs))
            if w:
                startup.append([f"{delay:g}", f"{w}", *(f"{median([x[k] for x in runs]):.2f}" for k in
                                                        ("import_s", "init_s", "first_s", "shutdown_s"))])
    print_table(["model work per image (s)", "where", "images/s (whole run)", "images/s (steady)",
                 "overhead per image per worker (ms)", "driver peak RSS (MB)"], rows)
    print("Start-up and shutdown (seconds; first record = actor start + first model load + first item):\n")
    print_table(["model work per image (s)", "Ray workers", "import ray", "ray.init (local)", "first record",
                 "ray.shutdown"], startup)
    writes = []
    for size, what in ((20, "encode-dir: 20-byte .smc"), (1 << 20, "eval: 1 MB PNG")):
        per_s = [child_writes(tmp / f"w-{size}-{r}", a.records, size) for r in range(a.runs)]
        writes.append([what, f"{median(per_s):.0f}"])
    print("Driver writes (output file written atomically, then one fsynced manifest line):\n")
    print_table(["record", "records/s"], writes)


def child_writes(out: Path, n: int, size: int) -> float:
    proc = subprocess.run([sys.executable, __file__, "--writes", str(out), str(n), str(size)], capture_output=True,
                          text=True, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])["per_s"]


def _row(delay: float, workers: int, runs: list[dict]) -> list[str]:
    whole = median([r["n"] / r["seconds"] for r in runs])
    steady = median([r["steady_n"] / r["steady_s"] for r in runs])
    per_worker = max(workers, 1) / steady - delay
    where = "in-process" if not workers else f"Ray, {workers} worker{'s' if workers > 1 else ''}"
    return [f"{delay:g}", where, f"{whole:.2f}", f"{steady:.2f}", f"{1000 * per_worker:.1f}",
            f"{median([r['maxrss_mb'] for r in runs]):.0f}"]


if __name__ == "__main__":
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    main()
