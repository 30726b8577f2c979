"""Configuration as objects: which models, how to encode, where to run.

Three small frozen dataclasses, one per concern, built once (by the CLI from its options, or by
a user in Python) and handed whole to encode, decode, eval, studies, batch workers and the web
app. They pickle, so a worker process or a Ray actor receives exactly the same objects, and
``to_dict()`` records them (secrets left out) in a run's ``config.json`` and results' ``meta``.
Like diffusers' ``register_to_config``: what was built can be written down and rebuilt.

- ``ModelsConfig``: the models of each role (specs; unset: the preset's) and their options.
  It decides which generator profile a file names, so it changes the bits.
- ``EncodeConfig``: the budget, coder, rate control and search. It changes the bits.
- ``RuntimeConfig``: device, dtype, offloading, server URL, cache, progress bars. It changes
  where and how fast models run, never which file is written (up to the floating point of the
  hardware).

A dry run (``ModelsConfig(dry_run=True)``) keeps the generator profile the configuration names,
so files carry the real header (profile 1 at the defaults: no custom-generator hash), while
scripted fakes stand in for every model (see ``ModelSet``); it is recorded with the
configuration, so a dry run's results never pass for a real run's.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..codec.rate import ALL_STRATEGIES, RECOMMENDED_STRATEGY, Budget
from ..errors import InputError

#: Option names whose values are secrets: never recorded, printed or hashed. Whole words at
#: the end of the name (``api_key``, ``hf_token``, ``client_secret``), so that settings such as
#: ``max_tokens`` are still recorded.
_SECRET = re.compile(r"(^|[_-])(key|token|secret|password|passwd|credentials?)$", re.IGNORECASE)
#: Seeds are stored with an unbounded code, but a decoder reads at most 64 bits of it.
MAX_SEED = (1 << 64) - 1
#: The roles whose models take options (``--describer-option`` etc.).
OPTION_ROLES = ("describer", "generator", "text_model", "expander", "judge")


def public_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` without secrets (API keys, tokens), for configs, logs and hashes."""
    return {k: v for k, v in options.items() if not _SECRET.search(k)}


@dataclass(frozen=True)
class ModelsConfig:
    """Which model plays each role. Unset specs are the preset's (``open``: local Hugging Face
    models; ``paper``: the OpenAI API). ``generator`` is a profile id, a profile name or a spec.
    ``options`` maps a role in ``OPTION_ROLES`` to that model's options (``steps=4``)."""

    preset: str = "open"
    describer: str | None = None
    generator: str | int | None = None
    text_model: str | None = None
    expander: str | None = None
    judge: str | None = None
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Fakes stand in for every model; files keep the header of the generator profile named here.
    dry_run: bool = False
    #: The language model of the ``lm`` text coder: an LM table name (``smollm2-135m``), a Hub id
    #: or a local folder (None: the table's default; a file names its own).
    lm: str | None = None

    def __post_init__(self) -> None:
        from ..models.presets import get_preset

        get_preset(self.preset)
        for role in self.options:
            if role not in OPTION_ROLES:
                raise InputError(f"options are for one of {', '.join(OPTION_ROLES)}, not {role!r}")

    def options_for(self, role: str) -> dict[str, Any]:
        """The options given for ``role``'s model (empty when none)."""
        return dict(self.options.get(role, {}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, without secrets."""
        out = asdict(self)
        out["options"] = {role: public_options(opts) for role, opts in self.options.items() if opts}
        for name in ("dry_run", "lm"):  # recorded only when set, so runs recorded before still resume
            if not out[name]:
                del out[name]
        return out


@dataclass(frozen=True)
class EncodeConfig:
    """How a description is made, fitted to the budget, coded and searched."""

    budget: Budget = field(default_factory=Budget)
    coder: str = "ngram"
    #: The coder's prior (None: the format's default for the coder; ngram-v2 in format 2).
    prior: str | None = None
    #: Rate control (``codec.rate``): ``content`` keeps the most meaning per bit at tight budgets.
    strategy: str = RECOMMENDED_STRATEGY
    #: The .smc format new files are written in: 2 (ngram-v2 is the default prior, no header
    #: cost) or 1 (what semcodec wrote before ngram-v2).
    format_version: int = 2
    #: ``brief``: ask the describer for about as many words as the budget holds; ``full``: a full
    #: description that rate control cuts.
    describe: str = "brief"
    seed: int = 0
    reflect: int = 0
    seeds: int = 1
    patience: int = 1
    quality_target: float | None = None
    #: Bits of CRC the file carries (0: none; 4, 8, 16 or 32), counted in the rate.
    check_bits: int = 0

    def __post_init__(self) -> None:
        from ..codec.text import get_coder

        if not isinstance(self.budget, Budget):
            raise InputError(f"budget must be a semcodec.Budget, not {type(self.budget).__name__}")
        if self.coder == "lm":  # its model loads when the first text is coded, not here
            from ..codec.ids import LM_PRIORS

            if self.prior is not None and self.prior not in LM_PRIORS:
                raise InputError(f"the lm coder's prior is one of {', '.join(LM_PRIORS)}, not {self.prior!r}")
        else:
            get_coder(self.coder, self.prior)  # unknown coder or prior: one sentence
        if self.strategy not in ALL_STRATEGIES:
            raise InputError(f"unknown rate-control strategy {self.strategy!r}; choose one of {', '.join(ALL_STRATEGIES)}")
        if self.describe not in ("brief", "full"):
            raise InputError(f"describe is brief or full, not {self.describe!r}")
        for name, low, high in (("seed", 0, MAX_SEED), ("reflect", 0, 100), ("seeds", 1, 10_000), ("patience", 1, 100)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InputError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
        from ..codec.check import CHECK_SIZES

        if isinstance(self.check_bits, bool) or self.check_bits not in (0, *CHECK_SIZES):
            raise InputError(f"check_bits is 0 (no check) or one of {', '.join(map(str, CHECK_SIZES))}, "
                             f"not {self.check_bits!r}")
        if isinstance(self.format_version, bool) or self.format_version not in (1, 2):
            raise InputError(f"format_version is 1 or 2, not {self.format_version!r}")
        if self.check_bits and self.format_version != 2:
            raise InputError("a check field exists in format 2 files only; use format_version 2",
                             params=("format_version",))
        if self.quality_target is not None:
            q = self.quality_target
            if isinstance(q, bool) or not isinstance(q, (int, float)) or not math.isfinite(q):
                raise InputError(f"the quality target must be a finite number, not {q!r}")
            if not self.budget.limited:
                raise InputError("a quality target needs an upper bound on the rate: give a budget (max_bits or ubpp)")

    @property
    def searching(self) -> bool:
        """True when the encoder renders and scores candidates (reflection, seeds, variable rate)."""
        return self.reflect > 0 or self.seeds > 1 or self.quality_target is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out = asdict(self)
        out["budget"] = self.budget.label
        if not self.check_bits:  # recorded only when used, so older run folders still resume
            out.pop("check_bits")
        return out


@dataclass(frozen=True)
class RuntimeConfig:
    """Where models run. None: the backend's own default (the best device, a dtype by device)."""

    device: str | None = None
    dtype: str | None = None
    cpu_offload: bool = False
    #: An OpenAI-compatible server for ``openai:`` specs (default: OPENAI_BASE_URL or the API).
    base_url: str | None = None
    #: Read and write the persistent result cache.
    cache: bool = True
    #: Show progress on stderr: model downloads, denoising steps, search candidates (the CLI
    #: turns it on when stderr is a terminal and ``--quiet`` is not given).
    progress: bool = False

    def backend_options(self) -> dict[str, Any]:
        """The runtime settings a backend may accept, as backend option names; unset ones left out."""
        pairs = (("device", self.device), ("dtype", self.dtype), ("cpu_offload", self.cpu_offload),
                 ("base_url", self.base_url), ("progress", self.progress))
        return {k: v for k, v in pairs if v not in (None, False)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def split_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Loose keyword settings (``describer=``, ``cache=``, ``device=``...) split by the config
    object that owns each name: (models, runtime, other). For convenience APIs such as
    ``Pipeline(describer="fake:x", cache=False)``."""
    names = ({f.name for f in fields(ModelsConfig)}, {f.name for f in fields(RuntimeConfig)})
    models = {k: v for k, v in settings.items() if k in names[0]}
    runtime = {k: v for k, v in settings.items() if k in names[1]}
    other = {k: v for k, v in settings.items() if k not in names[0] | names[1]}
    return models, runtime, other
