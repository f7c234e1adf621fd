"""Broadcast configurations: the five published ones (train) and seeded harder ones.

A workload is ``{"id", "source", "destinations", "data_vol_gb", "num_partitions",
"ingress_limit", "egress_limit", "vms_per_region", "origin"}``. The published five nearly
saturate (the cheapest tree is within about 1% of the bound), so held-out and test draw more
destinations, clustered in one or two clouds other than the source's, where sharing an expensive
inter-cloud hop and fanning out inside the target cloud pays and per-destination paths do not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulators.cloudcast.graph import Graph, provider

Workload = dict[str, Any]

DEFAULT_INGRESS = {"aws": 10.0, "gcp": 16.0, "azure": 16.0}  # Gbps per VM
DEFAULT_EGRESS = {"aws": 5.0, "gcp": 7.0, "azure": 16.0}


class CloudcastSplit(BaseModel):
    """A split in ``scenario.toml``: either the published configs or a seeded generator."""

    # Upper bounds far above the published configs (at most 15 destinations, 20 partitions)
    # refuse a typo here rather than as a failed allocation or an hour-long limit.
    model_config = ConfigDict(extra="forbid")
    published: bool = False
    workloads: int = Field(10, gt=0, le=10_000)
    seed: int = Field(0, ge=0)
    min_destinations: int = Field(8, ge=1, le=1_000)
    max_destinations: int = Field(12, ge=1, le=1_000)
    target_clouds: int = Field(2, ge=1, le=3)
    data_vol_gb: float = Field(300.0, gt=0, le=1e9)
    num_partitions: list[Annotated[int, Field(gt=0, le=1_000)]] = Field(
        default_factory=lambda: [10], min_length=1
    )
    vms_per_region: int = Field(1, ge=1, le=1_000)

    @model_validator(mode="after")
    def _destinations_ordered(self) -> CloudcastSplit:
        if self.max_destinations < self.min_destinations:
            raise ValueError("max_destinations must be >= min_destinations")
        return self


def published_workloads(config_dir: Path, vms_per_region: int) -> list[Workload]:
    """The published JSON configs, sorted by file name."""
    out = []
    for path in sorted(config_dir.glob("*.json")):
        raw = json.loads(path.read_text())
        out.append(
            {
                "id": f"published-{path.stem}",
                "source": raw["source_node"],
                "destinations": list(raw["dest_nodes"]),
                "data_vol_gb": float(raw["data_vol"]),
                "num_partitions": int(raw["num_partitions"]),
                "ingress_limit": {**DEFAULT_INGRESS, **raw.get("ingress_limit", {})},
                "egress_limit": {**DEFAULT_EGRESS, **raw.get("egress_limit", {})},
                "vms_per_region": vms_per_region,
                "origin": "published",
            }
        )
    return out


def generated_workloads(split_name: str, split: CloudcastSplit, graph: Graph) -> list[Workload]:
    """Seeded configurations: a random source, destinations mostly in other clouds."""
    rng = np.random.default_rng(split.seed)
    clouds = sorted({provider(node) for node in graph.nodes})
    out = []
    for index in range(split.workloads):
        source = str(rng.choice(graph.nodes))
        others = [c for c in clouds if c != provider(source)]
        targets = list(
            rng.choice(others, size=min(split.target_clouds, len(others)), replace=False)
        )
        count = int(rng.integers(split.min_destinations, split.max_destinations + 1))
        in_targets = [n for n in graph.nodes if provider(n) in targets and n != source]
        elsewhere = [n for n in graph.nodes if provider(n) not in targets and n != source]
        clustered = min(len(in_targets), count - count // 4)
        picks = list(rng.choice(in_targets, size=clustered, replace=False))
        picks += list(rng.choice(elsewhere, size=count - clustered, replace=False))
        out.append(
            {
                "id": f"{split_name}-{index:03d}",
                "source": source,
                "destinations": [str(p) for p in picks],
                "data_vol_gb": split.data_vol_gb,
                "num_partitions": split.num_partitions[index % len(split.num_partitions)],
                "ingress_limit": dict(DEFAULT_INGRESS),
                "egress_limit": dict(DEFAULT_EGRESS),
                "vms_per_region": split.vms_per_region,
                "origin": "generated",
            }
        )
    return out
