"""Seed policy for spot-single: greedy on spot with a safety margin before the deadline.

The evolved program defines ``Policy(job)`` with ``decide(obs)`` returning "NONE", "SPOT" or
"ON_DEMAND" once per tick. ``job``: duration_s, deadline_s, restart_overhead_s, gap_s,
on_demand_price, spot_price. ``obs``: tick, elapsed_s, done_s, left_s, time_to_deadline_s,
spot_available, cur, pending_overhead_s, preempted, preemptions, spot_history (past and present
availability only). Times are seconds. ``obs`` is updated in place: copy what you keep.
"""


# EVOLVE-BLOCK-START
class Policy:
    def __init__(self, job):
        self.job = job
        self.committed = False  # once on on-demand near the deadline, stay there

    def decide(self, obs):
        job = self.job
        margin = 2 * job.restart_overhead_s + job.gap_s
        if self.committed or obs.time_to_deadline_s - margin <= obs.left_s:
            self.committed = True
            return "ON_DEMAND"
        if obs.spot_available:
            return "SPOT"
        return "NONE"


# EVOLVE-BLOCK-END
