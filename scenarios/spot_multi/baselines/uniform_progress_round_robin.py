"""Uniform Progress (the Can't Be Late authors' coding, as in spot-single) with round-robin
region switching: the policy watches one region at a time and, whenever spot is missing there,
moves its attention to the next region in order; it runs spot in the watched region and keeps
on-demand where it already runs."""

import math


class Policy:
    def __init__(self, job):
        self.job = job
        self.watched = 0

    def decide(self, obs):
        job = self.job
        if not obs.spot_available[self.watched] and obs.cur != "SPOT":
            self.watched = (self.watched + 1) % len(job.regions)
        up = obs.spot_available[self.watched]
        gap, overhead = job.gap_s, job.restart_overhead_s
        deadline, duration = job.deadline_s, job.duration_s
        t, done, cur = obs.elapsed_s, obs.done_s, obs.cur
        left = duration - done
        if left <= 0:
            return "NONE"
        a = "SPOT" if up else "NONE"
        if done < duration * t / deadline:  # behind the line: catch up
            a = "SPOT" if up else "ON_DEMAND"
        if cur == "ON_DEMAND" and (not up or done <= duration * (t + 2 * overhead) / deadline):
            a = "ON_DEMAND"  # hysteresis
        remaining = math.floor((deadline - t) / gap) * gap
        if math.ceil((left + 2 * overhead) / gap) * gap >= remaining and cur in (
            "NONE",
            "ON_DEMAND",
        ):
            a = "ON_DEMAND"
        if math.ceil((left + overhead) / gap) * gap >= remaining:
            a = "SPOT" if (cur == "SPOT" and obs.pending_overhead_s == 0) else "ON_DEMAND"
            if overhead == 0 and up:
                a = "SPOT"
        if a == "SPOT":
            return ("SPOT", obs.region if cur == "SPOT" else self.watched)
        if a == "ON_DEMAND":
            return ("ON_DEMAND", obs.region if cur == "ON_DEMAND" else self.watched)
        return "NONE"
