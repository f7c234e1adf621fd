"""The research loop's nodes, one module per step: plan, code, assess (evaluate + critique),
verify, record (and route). Each ``make_*`` returns a node closed over a ``Runtime``."""
