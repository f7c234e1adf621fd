"""Entry of a plain (fresh-interpreter) child: ``python -m simulators.sandbox.child RESULT_FD``.

Reads one JSON request on stdin (scenario root, source, workloads), runs the candidate and writes
one JSON report to RESULT_FD, a pipe reserved for it: the candidate's own prints go to stdout,
which the parent captures and truncates, and can never be mistaken for the result.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    result_fd = int(sys.argv[1])
    request = json.loads(sys.stdin.buffer.read())
    from simulators.sandbox.candidate import run_candidate
    from simulators.sandbox.protocol import encode_report
    from simulators.scenario import load_scenario

    scenario = load_scenario(request["root"])
    scenario.engine.preload()
    report = run_candidate(scenario.engine, request["source"], request["workloads"])
    try:
        data = encode_report(report)
    except (TypeError, ValueError) as err:
        data = encode_report({"outcome": "invalid", "error": f"result is not plain JSON: {err}"})
    with os.fdopen(result_fd, "wb") as out:
        out.write(data)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: candidate threads and atexit hooks do not run


if __name__ == "__main__":
    main()
