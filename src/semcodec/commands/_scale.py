"""``--ray`` and the worker sizes: where ``eval``, ``encode-dir`` and ``decode-dir`` run.

Without ``--ray`` everything runs in this process and Ray is never imported. With it, the
command joins (or starts) a Ray cluster before any work, so that a cluster that cannot be
reached, or has no GPU where GPUs are asked for, fails in one sentence first.
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import InputError


def scale_options(fn: Any) -> Any:
    """``--ray [auto|ADDRESS|local]``, ``--workers``, ``--gpus-per-worker``, ``--cpus-per-worker``."""
    decorators = [
        click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
                     metavar="[auto|ADDRESS|local]",
                     help="Run on a Ray cluster: auto (RAY_ADDRESS or the cluster `ray start` made; the default "
                     "value), HOST:PORT or ray://HOST:PORT, or local (a private cluster of this machine). "
                     "Write --ray=VALUE, or put --ray after the input."),
        click.option("--workers", type=int, help="Ray workers, each with its own models (default: one per GPU, "
                     "or per CPU when the models need no GPU)."),
        click.option("--gpus-per-worker", type=float, help="GPUs each Ray worker holds (default: 1 when a model "
                     "runs locally and the cluster has GPUs, else 0; 0.5 puts two workers on a GPU)."),
        click.option("--cpus-per-worker", type=float, help="CPUs each Ray worker holds (default 1)."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def executor_from(kw: dict[str, Any], models: Any, *, encode: Any = None, decode: bool = False) -> Any:
    """The Ray executor the options ask for, connected and sized; None for the in-process run.
    ``models`` (a ``ModelsConfig``), what workers do (encode under the ``EncodeConfig``
    ``encode``, ``decode``) decide whether a worker needs a GPU by default."""
    sizes = {k: kw.get(k) for k in ("workers", "gpus_per_worker", "cpus_per_worker")}
    address = kw.get("ray_address")
    if address is None:
        given = [f"--{k.replace('_', '-')}" for k, v in sizes.items() if v is not None]
        if given:
            raise InputError(f"{given[0]} sizes Ray workers; add --ray (auto, an address, or local)")
        return None
    from ..batch.cluster import ClusterConfig, RayExecutor, needs_gpu, used_roles

    cluster = ClusterConfig(address=address, workers=sizes["workers"], gpus_per_worker=sizes["gpus_per_worker"],
                            cpus_per_worker=1.0 if sizes["cpus_per_worker"] is None else sizes["cpus_per_worker"])
    executor = RayExecutor(cluster, needs_gpu=lambda: needs_gpu(models, used_roles(encode, decode)))
    executor.connect()
    return executor
