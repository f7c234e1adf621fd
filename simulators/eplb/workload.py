"""Seeded expert-load windows: heavy-tailed popularity that drifts from one window to the next.

No real MoE load trace is reachable, so workloads are generated. Each layer starts from a Zipf
popularity (``rank ** -zipf_alpha`` over a random permutation of experts); between windows the
log-popularity takes a Gaussian step (``drift_sigma``) and, with probability ``hot_swap_rate``
per layer, one of the layer's eight hottest experts trades places with a random one (a topic
shift). A window's load is Poisson token counts around ``tokens_per_window * popularity``.

Causality by construction: window ``j`` draws only from the random stream ``(seed, j)``, so a
perturbation (``perturb_future = {"after": k, "seed": s}``) re-draws windows ``> k`` and leaves
windows ``<= k`` bit-identical. ``windows`` is lazy: when the runner plans window ``i``, window
``i + 1`` has not been generated yet and sits in no frame a candidate could inspect.

``numpy.random`` is imported explicitly: numpy 2 loads it lazily, and a first import inside the
locked-down sandbox (which forbids directory listings) would be reported as a violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

import numpy as np
import numpy.random
from pydantic import BaseModel, ConfigDict, Field, model_validator

Workload = dict[str, Any]


class EplbSplit(BaseModel):
    """Parameters of one split in ``scenario.toml``; list-valued generator fields cycle over
    the split's workloads so one split can mix regimes."""

    # Upper bounds: far above any real model (DeepSeek-V3: 61 layers, 256 experts, 288+
    # replicas), low enough that a typo is refused here instead of failing to allocate a
    # window matrix (layers x experts) or a plan (layers x replicas) later.
    model_config = ConfigDict(extra="forbid")
    workloads: int = Field(gt=0, le=10_000)
    seed: int = Field(ge=0)
    num_windows: int = Field(5, ge=2, le=1_000)
    num_layers: int = Field(58, gt=0, le=512)
    num_experts: int = Field(256, gt=0, le=4_096)
    num_replicas: int = Field(288, gt=0, le=8_192)
    num_groups: int = Field(8, gt=0, le=4_096)
    num_nodes: int = Field(4, gt=0, le=512)
    num_gpus: int = Field(32, gt=0, le=2_048)
    tokens_per_window: int = Field(65536, gt=0, le=10**12)
    zipf_alpha: list[float] = Field(default_factory=lambda: [1.0], min_length=1)
    drift_sigma: list[Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: [0.2], min_length=1
    )
    hot_swap_rate: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=lambda: [0.1], min_length=1
    )
    timing_repeats: int = Field(3, ge=1, le=100)
    #: ``own``: the candidate's calls timed alone (reported only). ``paired``: every window
    #: timed for the candidate and the reference back to back (``simulators.eplb.timing``).
    timing: Literal["own", "paired"] = "own"

    @model_validator(mode="after")
    def _divisible(self) -> EplbSplit:
        if self.num_replicas < self.num_experts:
            raise ValueError("num_replicas must be >= num_experts")
        if self.num_replicas % self.num_gpus or self.num_gpus % self.num_nodes:
            raise ValueError("num_replicas must divide over GPUs and GPUs over nodes")
        if self.num_experts % self.num_groups:
            raise ValueError("num_experts must divide into num_groups")
        return self


SHAPE_KEYS = ("num_layers", "num_experts", "num_replicas", "num_groups", "num_nodes", "num_gpus")


def make_workloads(split_name: str, split: EplbSplit) -> list[Workload]:
    """The split's workloads, in a fixed order, each a JSON-plain dict with its own seed."""
    out = []
    for index in range(split.workloads):
        workload: Workload = {
            "id": f"{split_name}-{index:03d}",
            "seed": split.seed * 1000 + index,
            "num_windows": split.num_windows,
            "tokens_per_window": split.tokens_per_window,
            "zipf_alpha": split.zipf_alpha[index % len(split.zipf_alpha)],
            "drift_sigma": split.drift_sigma[index % len(split.drift_sigma)],
            "hot_swap_rate": split.hot_swap_rate[index % len(split.hot_swap_rate)],
            "timing_repeats": split.timing_repeats,
        }
        workload.update({key: getattr(split, key) for key in SHAPE_KEYS})
        if split.timing == "paired":  # absent otherwise: older workloads stay bit-identical
            workload["timing"] = "paired"
        out.append(workload)
    return out


def _stream(workload: Workload, window: int) -> np.random.Generator:
    perturb = workload.get("perturb_future")
    if perturb is not None and window > int(perturb["after"]):
        return np.random.default_rng([int(workload["seed"]), window, 1 + int(perturb["seed"])])
    return np.random.default_rng([int(workload["seed"]), window])


def windows(workload: Workload) -> Iterator[np.ndarray]:
    """Yield the ``num_windows`` load matrices ``[num_layers, num_experts]`` (float64), lazily."""
    layers, experts = int(workload["num_layers"]), int(workload["num_experts"])
    alpha = float(workload["zipf_alpha"])
    drift = float(workload["drift_sigma"])
    swap_rate = float(workload["hot_swap_rate"])
    tokens = float(workload["tokens_per_window"])
    rows = np.arange(layers)
    log_pop = np.zeros((layers, experts))
    for window in range(int(workload["num_windows"])):
        rng = _stream(workload, window)
        if window == 0:
            ranks = rng.permuted(np.tile(np.arange(1, experts + 1), (layers, 1)), axis=1)
            log_pop = -alpha * np.log(ranks) + rng.normal(0.0, 0.1, (layers, experts))
        else:
            log_pop = log_pop + drift * rng.normal(size=(layers, experts))
            swapping = rows[rng.random(layers) < swap_rate]
            hottest = np.argsort(-log_pop, axis=1)[:, :8]
            hot = hottest[swapping, rng.integers(0, 8, size=swapping.size)]
            cold = rng.integers(0, experts, size=swapping.size)
            hot_vals = log_pop[swapping, hot].copy()
            log_pop[swapping, hot] = log_pop[swapping, cold]
            log_pop[swapping, cold] = hot_vals
        shifted = np.exp(log_pop - log_pop.max(axis=1, keepdims=True))
        popularity = shifted / shifted.sum(axis=1, keepdims=True)
        yield rng.poisson(tokens * popularity).astype(np.float64)


def all_windows(workload: Workload) -> list[np.ndarray]:
    """Every window at once (trusted parent side only)."""
    return list(windows(workload))
