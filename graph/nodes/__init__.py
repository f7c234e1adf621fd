"""The research loop's nodes, one module per node and named after it: plan, approve, code, file,
evaluate, verify, critique, record, and the route edge. Each ``make_<node>`` returns the node
closed over a ``SessionRuntime`` (``graph/README.md`` has the table)."""
