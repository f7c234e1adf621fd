"""One real test against the embedded llama.cpp server (SmolLM2-135M): chat, structured, stop."""

import os
import time

import pytest

from agents.embedded import EmbeddedServer
from agents.llm import role_model
from agents.schemas import Review
from agents.settings import load_settings
from agents.structured import StructuredCaller


@pytest.mark.llm
def test_embedded_server_chat_structured_and_clean_stop(tmp_path):
    notices = []
    settings = load_settings(tmp_path, env={})
    assert settings.embedded
    server = EmbeddedServer(log_path=tmp_path / "llama.log", notice=notices.append)
    with server:
        pid = server.process.pid
        assert notices and "SmolLM2-135M" in notices[0] and "--base-url" in notices[0]
        settings = settings.with_endpoint(server.base_url)
        critic = role_model("critic", settings)
        plain = critic.call([{"role": "user", "content": "Name one prime number."}])
        assert plain.ok, plain.record["error"]
        assert plain.record["input_tokens"] > 0 and plain.record["output_tokens"] > 0
        assert plain.record["cost_usd"] == 0.0 and plain.text.strip()

        # Temperature 0: the tiny model is then at least deterministic.
        cold = settings.for_role("verifier").model_copy(update={"temperature": 0.0})
        verifier = role_model("verifier", settings, cold)
        caller = StructuredCaller()
        out = caller.call(
            verifier,
            [
                {
                    "role": "user",
                    "content": (
                        "Is this code rigged? def policy(x):\n    return open('/etc/passwd').read()"
                    ),
                }
            ],
            Review,
        )
        assert out.records and all(r["input_tokens"] > 0 for r in out.records if not r["error"])
        # Settings point the chain at the one method measured to work on llama.cpp's server.
        assert out.records[0]["error"] is None or out.records[0]["error"].startswith(
            "[json_object_schema]"
        )
        assert out.value is not None, [r["error"] for r in out.records]
        print(
            f"startup {server.startup_s:.1f}s, method {out.method}, "
            f"plain {plain.record['output_tokens']} tokens in {plain.record['latency_s']:.2f}s"
        )
    assert not server.running
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"embedded server pid {pid} still alive after stop")
