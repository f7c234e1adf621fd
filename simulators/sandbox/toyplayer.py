"""The sandboxed half of the toy kind (``toykind.py``): ``Policy(config).decide(obs)``."""

from __future__ import annotations

from typing import Any

from simulators.json_ticks import JsonTickPlayer


class ToyPlayer(JsonTickPlayer):
    entry_point = "Policy"

    def make(self, config: Any) -> Any:
        return self.program[self.entry_point](config)

    def act(self, policy: Any, t: int, observation: Any) -> Any:
        return policy.decide(observation)
