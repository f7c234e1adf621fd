"""The four agent roles (planner, coder, critic, verifier), their prompts, structured outputs and
the model factory. Agents take plain inputs and return pydantic values plus call records (plain
dicts); they know nothing of SQL or of the graph. See ``agents/README.md``.
"""
