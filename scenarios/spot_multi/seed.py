"""Seed policy for spot-multi: greedy on the cheapest region with spot, with a safety margin.

``Policy(job)``: job.duration_s, deadline_s, restart_overhead_s, gap_s, regions (zone names),
on_demand_price. ``decide(obs)`` returns "NONE", ("SPOT", r) or ("ON_DEMAND", r) once per tick.
``obs``: tick, elapsed_s, done_s, left_s, time_to_deadline_s, spot_available and spot_prices
(tuples over regions, this tick), cur, region (-1 when idle), last_region, pending_overhead_s,
preempted, preemptions, spot_history, price_history (past and present only). Times in seconds.
Every launch, including a move to another region, pays the restart overhead.
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
            return ("ON_DEMAND", max(obs.region, 0))
        if obs.cur == "SPOT":  # keep running where we are: moving costs an overhead
            return ("SPOT", obs.region)
        up = [r for r, ok in enumerate(obs.spot_available) if ok]
        if up:
            return ("SPOT", min(up, key=lambda r: obs.spot_prices[r]))
        return "NONE"


# EVOLVE-BLOCK-END
