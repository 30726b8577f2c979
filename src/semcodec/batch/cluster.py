"""The Ray executor: a pool of Ray actors, each holding one loaded pipeline, fed by the driver.

Imported only for ``--ray``. Each actor receives the job's ``Task`` (configuration objects)
once, builds its models on its first item and keeps them; items arrive with their inputs as
bytes and go back as plain values, which the driver alone writes down.

Faults: an actor whose process or node dies is killed for good and replaced by a fresh one (up
to ``REPLACEMENTS`` times in a row per worker); every item it held goes back to the driver as
lost, and the driver hands it out again (``driver._lost``). Ray's own actor restarts and task retries are
off, so that one place decides, and a result is never delivered twice by two mechanisms. An
exception raised by the task (a missing model, a bad key) ends the run as it would in-process.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import BackendError, InputError, SemcodecError
from .driver import Outcome
from .items import Task, WorkItem

log = logging.getLogger(__name__)

#: Items queued on one actor: one computing, one waiting (its input arrives while the other runs).
DEPTH = 2
#: Fresh actors started in a row (without a result between them) to replace a worker that died,
#: before giving that worker up.
REPLACEMENTS = 3
#: Seconds without any started worker after which a note says why it may be so.
STARTING_NOTE = 60
#: Seconds to wait for a cluster address to accept a connection before giving up.
CONNECT_TIMEOUT = 5.0
#: The forms ``--ray`` takes.
FORMS = ("auto (the cluster RAY_ADDRESS or `ray start` names), local (a private one on this machine), "
         "or HOST:PORT / ray://HOST:PORT")


@dataclass(frozen=True)
class ClusterConfig:
    """Where batch work runs on Ray, and how each worker is sized. ``workers`` and
    ``gpus_per_worker`` None: chosen from the cluster (``RayExecutor.connect``)."""

    address: str = "auto"
    workers: int | None = None
    gpus_per_worker: float | None = None
    cpus_per_worker: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.address, str) or not self.address.strip():
            raise InputError(f"the Ray address (ray) takes {FORMS}", params=("ray",))
        if self.workers is not None and (isinstance(self.workers, bool) or not isinstance(self.workers, int)
                                         or self.workers < 1):
            raise InputError(f"workers must be a whole number of at least 1, not {self.workers!r}", params=("workers",))
        for name, value, low in (("gpus_per_worker", self.gpus_per_worker, 0.0),
                                 ("cpus_per_worker", self.cpus_per_worker, 1e-9)):
            if value is not None and (not isinstance(value, (int, float)) or not math.isfinite(value) or value < low):
                raise InputError(f"{name} must be a number of at least {low:g}, not {value!r}", params=(name,))


def needs_gpu(models: Any, roles: set[str]) -> bool:
    """True when a model of ``models`` (a ``ModelsConfig``) that plays one of ``roles`` (registry
    roles: ``used_roles``) runs on the worker's own hardware, i.e. its class takes a ``device``
    option (API and fake models do not). A model this machine cannot resolve (not in its Hugging
    Face cache: it may be on the workers' nodes only) counts as one that does."""
    from ..models.registry import backend_class
    from ..pipeline.config import RuntimeConfig
    from ..pipeline.modelset import ModelSet

    for role, spec in ModelSet(models, RuntimeConfig(cache=False)).role_specs():
        if role not in roles:
            continue
        try:
            if backend_class(role, spec)[0].accepts_option("device"):
                return True
        except SemcodecError:
            return True
    return False


def used_roles(encode: Any = None, decode: bool = False) -> set[str]:
    """The model roles a worker uses to encode under ``encode`` (an ``EncodeConfig``; None: no
    encoding) and to ``decode``."""
    roles = set()
    if encode is not None:
        roles.add("describer")
        if encode.strategy == "rewrite" or encode.reflect:
            roles.add("text")
        if encode.searching:
            roles |= {"generator", "judge"}
    if decode:
        roles |= {"generator", "expander"}
    return roles


@dataclass
class _Slot:
    """One worker: its actor, the probe that says it has started (None once it answered), and
    the results it owes, oldest (the one computing) first."""

    actor: Any = None
    probe: Any = None
    queue: deque[Any] = field(default_factory=deque)
    replacements: int = REPLACEMENTS


class RayExecutor:
    """Runs a task's items on Ray actors (``ClusterConfig``)."""

    def __init__(self, cluster: ClusterConfig, *, needs_gpu: Callable[[], bool] = lambda: False) -> None:
        self.cluster = cluster
        #: Asked only when the cluster has GPUs and --gpus-per-worker is not given (it may load
        #: model configurations).
        self.needs_gpu = needs_gpu
        self.workers = 0
        self.gpus = 0.0
        self._ray: Any = None
        self._owned = False
        self._slots: list[_Slot] = []
        self._owner: dict[Any, tuple[_Slot, WorkItem]] = {}
        self._probes: dict[Any, _Slot] = {}
        self._task: Task | None = None

    # -- connecting -------------------------------------------------------------------------------
    def connect(self) -> None:
        """Join (or start) the cluster and size the pool, or fail in one sentence: an address that
        does not answer, no running cluster, no GPU where GPUs are asked for."""
        if self._ray is not None:
            return
        address = self.cluster.address.strip()
        if address not in ("auto", "local"):
            _parse(address)  # a malformed address fails before Ray is imported
        if address == "local" and "ray" not in sys.modules:
            # Ray binds a new node to the machine's network address; this keeps it on loopback.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        from ..deps import require

        ray = require("ray", "ray", "running on a Ray cluster (--ray)")
        if address != "local" and (address != "auto" or not ray.is_initialized()):
            _reachable(_bootstrap(address))
        if not ray.is_initialized():  # a process already connected (a notebook, a test) keeps its connection
            _init(ray, address)
            self._owned = True
        self._ray = ray
        try:
            self._size(ray.cluster_resources())
        except BaseException:
            self.close()
            raise

    def _size(self, resources: dict[str, float]) -> None:
        c, where = self.cluster, self.where()
        cpus, gpus = resources.get("CPU", 0.0), resources.get("GPU", 0.0)
        per_gpu = c.gpus_per_worker
        if per_gpu is None:
            per_gpu = 1.0 if gpus >= 1 and self.needs_gpu() else 0.0
        if per_gpu > 0 and gpus < per_gpu:
            raise BackendError(f"the Ray cluster {where} has {gpus:g} GPUs, but each worker asks for {per_gpu:g}; "
                               "add GPU nodes, or set gpus_per_worker to 0 to run on CPUs", params=("gpus_per_worker",))
        if cpus < c.cpus_per_worker:
            raise BackendError(f"the Ray cluster {where} has {cpus:g} CPUs, but each worker asks for "
                               f"{c.cpus_per_worker:g}; lower cpus_per_worker", params=("cpus_per_worker",))
        fit = int(gpus // per_gpu) if per_gpu > 0 else int(cpus // c.cpus_per_worker)
        self.gpus, self.workers = per_gpu, c.workers or max(1, fit)
        if self.workers > fit:
            log.warning("%d workers asked for, but the cluster holds %d now; the others wait for resources",
                        self.workers, fit)

    def where(self) -> str:
        """The cluster, in words."""
        a = self.cluster.address.strip()
        return {"auto": "found by RAY_ADDRESS or `ray start`", "local": "on this machine"}.get(a, f"at {a}")

    def describe(self) -> str:
        n = len(self._slots) or self.workers
        gpu = f"{self.gpus:g} GPU + " if self.gpus else ""
        return f"{n} Ray worker{'s' if n != 1 else ''} ({gpu}{self.cluster.cpus_per_worker:g} CPU each)"

    # -- the executor -----------------------------------------------------------------------------
    def start(self, task: Task) -> None:
        self.connect()
        self._task = task
        self._slots = [_Slot() for _ in range(self.workers)]
        for slot in self._slots:
            self._spawn(slot)

    def _spawn(self, slot: _Slot) -> None:
        """A fresh actor for ``slot``; it takes items once it has answered its probe (an actor
        that waits for resources, e.g. for an autoscaler's new node, holds none meanwhile)."""
        actor = _actor_class(self._ray).options(num_cpus=self.cluster.cpus_per_worker, num_gpus=self.gpus)
        slot.actor = actor.remote(self._task)
        slot.probe = slot.actor.pid.remote()
        self._probes[slot.probe] = slot

    def free(self) -> int:
        return sum(DEPTH - len(s.queue) for s in self._slots if s.probe is None)

    def submit(self, item: WorkItem) -> None:
        slot = min((s for s in self._slots if s.probe is None), key=lambda s: len(s.queue))
        ref = slot.actor.run.remote(item)
        slot.queue.append(ref)
        self._owner[ref] = (slot, item)

    def wait(self) -> list[Outcome]:
        ray = self._ray
        refs = [*self._owner, *self._probes]
        since = time.monotonic()
        while not ray.wait(refs, num_returns=1, timeout=0.5)[0]:  # short waits let Ctrl-C in
            if not self._owner and time.monotonic() - since > STARTING_NOTE:
                log.warning("no Ray worker has started in %d s; the cluster may lack the CPUs or GPUs each asks for",
                            STARTING_NOTE)
                since = time.monotonic()
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
        outcomes: list[Outcome] = []
        for ref in ready:
            if ref in self._probes:
                self._started(self._probes.pop(ref), ref)
                continue
            if ref not in self._owner:  # already given back as lost with its worker
                continue
            slot, item = self._owner[ref]
            try:
                result = ray.get(ref)
            except ray.exceptions.RayTaskError as e:  # the task itself raised
                raise _cause(e) from None
            except ray.exceptions.RayError as e:  # the worker (process, node) is gone
                outcomes.extend(self._lost(slot, _reason(e)))
                continue
            del self._owner[ref]
            slot.queue.remove(ref)
            slot.replacements = REPLACEMENTS  # it works: only deaths in a row use up its replacements
            outcomes.append(Outcome(item, result))
        return outcomes

    def _started(self, slot: _Slot, probe: Any) -> None:
        try:
            self._ray.get(probe)
            slot.probe = None
        except self._ray.exceptions.RayError as e:  # it died starting (or could not be placed)
            self._replace(slot, _reason(e))

    def _lost(self, slot: _Slot, reason: str) -> list[Outcome]:
        """A dead worker: every item it held comes back lost; a fresh actor takes its place."""
        lost = [Outcome(self._owner.pop(ref)[1], lost=reason, running=i == 0) for i, ref in enumerate(slot.queue)]
        slot.queue.clear()
        self._replace(slot, reason)
        return lost

    def _replace(self, slot: _Slot, reason: str) -> None:
        self._kill(slot.actor)
        if slot.replacements > 0:
            slot.replacements -= 1
            self._spawn(slot)
            return
        self._slots.remove(slot)
        if not self._slots:
            raise BackendError(f"every Ray worker died, each {REPLACEMENTS + 1} times in a row (last: {reason}); "
                               "see the Ray logs of the cluster's nodes")

    def close(self, interrupted: bool = False) -> None:
        """Stop every actor (in the middle of its work when ``interrupted``) and leave the cluster
        (a cluster started for this run stops with it)."""
        for slot in self._slots:
            self._kill(slot.actor)
        self._slots, self._owner, self._probes = [], {}, {}
        if self._ray is not None and self._owned:
            self._ray.shutdown()
            self._ray, self._owned = None, False

    def _kill(self, actor: Any) -> None:
        try:
            self._ray.kill(actor, no_restart=True)
        except Exception as e:  # already gone, or the cluster is unreachable
            log.debug("could not kill a Ray actor: %s", e)


def _init(ray: Any, address: str) -> None:
    """``ray.init`` for ``address``, quiet, failing in one sentence."""
    quiet = dict(logging_level=logging.WARNING, log_to_driver=False)
    # A new local cluster announces its (default) token authentication on every start.
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
    if address == "local":
        ray.init(address="local", include_dashboard=False, **quiet)  # a new one, even if another runs here
        return
    try:
        ray.init(address=address, **quiet)
    except ConnectionError as e:
        named = address if address != "auto" else os.environ.get("RAY_ADDRESS", "").strip()
        if not named:
            raise BackendError("no running Ray cluster was found (set RAY_ADDRESS, or start one with "
                               "`ray start` as the head node); use the address local for a cluster of this machine "
                               "alone", params=("ray",)) from None
        raise BackendError(f"cannot join the Ray cluster at {named} ({_first_line(e)}); if it uses token "
                           "authentication, set RAY_AUTH_MODE=token and its token (RAY_AUTH_TOKEN or "
                           "~/.ray/auth_token)") from None


def _bootstrap(address: str) -> str | None:
    """The address Ray will dial for ``address``: ``auto`` is RAY_ADDRESS or the cluster the last
    ``ray start`` here recorded (None: none found, which ``ray.init`` reports at once), and a
    host name is resolved as Ray resolves it."""
    if address.startswith("ray://"):
        return address
    try:
        from ray._private.services import canonicalize_bootstrap_address  # Ray's own resolution
    except ImportError:  # moved in another Ray version: check what was given
        return None if address == "auto" else address
    try:
        found = canonicalize_bootstrap_address(address)
    except Exception:  # nothing found for auto, or an address Ray cannot parse: ray.init says so
        return None if address == "auto" else address
    return found if found and found != "auto" else None


def _parse(address: str) -> tuple[str, int]:
    """(host, port) of ``HOST:PORT`` or ``ray://HOST:PORT``, or an InputError."""
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = hostport.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise InputError(f"the Ray address {address!r} is not an address; give {FORMS}", params=("ray",))
    return host.strip("[]"), int(port)


def _reachable(address: str | None) -> None:
    """Fail at once, in one sentence, when ``address`` does not accept connections (Ray itself
    retries for minutes, also when a stale record of a stopped cluster names it)."""
    if address is None:
        return
    try:
        socket.create_connection(_parse(address), timeout=CONNECT_TIMEOUT).close()
    except OSError as e:
        raise BackendError(f"the Ray cluster at {address} cannot be reached ({e.strerror or e}); "
                           "check the address and that a Ray head node (`ray start`) runs there") from None


_ACTOR: Any = None


def _actor_class(ray: Any) -> Any:
    """The actor class (made once per process; Ray registers it with the cluster)."""
    global _ACTOR
    if _ACTOR is None:
        _ACTOR = ray.remote(max_restarts=0, max_task_retries=0)(BatchWorker)
    return _ACTOR


class BatchWorker:
    """A Ray actor's body: one task, started (models loaded) on the first item, then kept."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.fn: Any = None

    def run(self, item: WorkItem) -> Any:
        if self.fn is None:
            self.fn = self.task.start()
        return self.fn(item)

    def pid(self) -> int:
        """The worker's process id (for tests that kill it)."""
        return os.getpid()


def _cause(e: Any) -> BaseException:
    """The exception a task raised: ours as itself (one sentence), any other with Ray's trace."""
    cause = getattr(e, "cause", None)
    if isinstance(cause, SemcodecError):
        return cause
    return e.as_instanceof_cause() if hasattr(e, "as_instanceof_cause") else e


def _reason(e: BaseException) -> str:
    return f"{type(e).__name__}: {_first_line(e)}"


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:200]
