"""``OutputViolation``: a candidate's decision broke a rule of the scenario.

Its own module (no imports) because both halves raise it: the trusted feed and scorer in the
parent, and the player inside the sandbox, which must not import the simulator families.
"""


class OutputViolation(Exception):
    """The candidate's decisions break a rule of the scenario (invalid action, bad placement,
    a path that does not connect). The message says which rule and which workload."""
