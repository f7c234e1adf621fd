"""What each agent is told: the problem, where the search stands against the reference points,
the lineage it may build on, and comparative evidence, each rendered within a token budget.

A capable model does research only with what its prompt holds. These modules turn memory and
the scenario into prompt sections; the agents (``agents/``) only place them in their templates.
"""
