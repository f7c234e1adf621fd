"""A ready-made pair of halves for small tick-by-tick scenarios: JSON observations in, JSON
decisions out (the toy kind and the ``adrs new-scenario`` scaffold use it).

The feed holds, per workload, a config (what the policy is built with) and one observation per
tick; message ``t`` holds tick ``t``'s observation of every workload that has one, and the
reply one decision each. A scenario needs only a ``JsonTickPlayer`` subclass that says how to
build its policy and ask it for a decision. Easy to read, about 5 us per decision: fine for
toys, too slow for a real split of hundreds of thousands of ticks (see ``spot_single.feed``).
"""

from __future__ import annotations

import json
from abc import abstractmethod
from typing import Any

from simulators.lockstep import Feed, Player
from simulators.violation import OutputViolation


class JsonTickFeed(Feed):
    """Reveal ``series[i][t]`` at step ``t``; collect decisions under ``raw[key][id]``."""

    def __init__(
        self, ids: list[str], configs: list[Any], series: list[list[Any]], key: str = "actions"
    ) -> None:
        self.ids, self.configs, self.series, self.key = ids, configs, series, key
        self.decided: dict[str, list[Any]] = {wid: [] for wid in ids}
        self.t = -1
        self.asked: list[int] = []

    def opening(self) -> bytes:
        return json.dumps({"ids": self.ids, "configs": self.configs}).encode()

    def advance(self, reply: bytes) -> bytes | None:
        if self.t >= 0:
            try:
                answers = json.loads(reply)
            except (ValueError, UnicodeDecodeError):
                raise OutputViolation("the player's reply is not JSON") from None
            if not isinstance(answers, list) or len(answers) != len(self.asked):
                raise OutputViolation(f"tick {self.t}: expected {len(self.asked)} decisions")
            for i, answer in zip(self.asked, answers):
                self.decided[self.ids[i]].append(answer)
        elif reply:
            raise OutputViolation("the player answered the opening with data")
        self.t += 1
        self.asked = [i for i, values in enumerate(self.series) if len(values) > self.t]
        if not self.asked:
            return None
        observations = [self.series[i][self.t] for i in self.asked]
        return json.dumps({"t": self.t, "ids": self.asked, "obs": observations}).encode()

    def decisions(self) -> dict[str, Any]:
        return {self.key: self.decided}


class JsonTickPlayer(Player):
    """Sandboxed half: one policy per workload, asked once per revealed tick."""

    @abstractmethod
    def make(self, config: Any) -> Any:
        """The policy of one workload (e.g. ``self.program["Policy"](config)``)."""

    @abstractmethod
    def act(self, policy: Any, t: int, observation: Any) -> Any:
        """The policy's decision for tick ``t`` (must be plain JSON)."""

    def open(self, opening: bytes) -> bytes:
        spec = json.loads(opening)
        self.policies = [self.make(config) for config in spec["configs"]]
        return b""

    def step(self, message: bytes) -> bytes:
        tick = json.loads(message)
        t = tick["t"]
        answers = [self.act(self.policies[i], t, obs) for i, obs in zip(tick["ids"], tick["obs"])]
        try:
            return json.dumps(answers, allow_nan=False).encode()
        except (TypeError, ValueError) as err:
            raise OutputViolation(f"tick {t}: decisions are not plain JSON: {err}") from None
