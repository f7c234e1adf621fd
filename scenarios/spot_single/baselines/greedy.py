"""Greedy: spot whenever it is available, otherwise wait; a safety net switches to on-demand for
good once the time left, less one tick, drops below the work left plus 2*O."""


class Policy:
    def __init__(self, job):
        self.job = job
        self.locked = False

    def decide(self, obs):
        job = self.job
        if self.locked:
            return "ON_DEMAND"
        if obs.cur == "SPOT" and obs.spot_available:
            return "SPOT"
        time_left = job.deadline_s - obs.elapsed_s
        work_left = job.duration_s - obs.done_s
        if time_left - job.gap_s < work_left + 2 * job.restart_overhead_s:
            self.locked = True
            return "ON_DEMAND"
        if obs.spot_available:
            return "SPOT"
        return "NONE"
