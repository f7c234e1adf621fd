"""Uniform Progress exactly as the Can't Be Late authors coded it (about 5% cheaper on the
training split than a literal reading of the paper's rules, and the baseline the published
results claim to beat).

Keep progress on the line ``D * t / deadline``: catch up on on-demand when behind, take spot
whenever it is available, stay on on-demand while spot is missing or until 2*O ahead of the
line, and two safety nets near the deadline.
"""

import math


class Policy:
    def __init__(self, job):
        self.job = job

    def decide(self, obs):
        job = self.job
        gap = job.gap_s
        overhead = job.restart_overhead_s
        deadline = job.deadline_s
        duration = job.duration_s
        t = obs.elapsed_s
        done = obs.done_s
        left = duration - done
        up = obs.spot_available
        cur = obs.cur
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
        return a
