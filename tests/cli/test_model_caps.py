"""The embedded model's answer cap is a default, never a ceiling over the user's own choice."""

from __future__ import annotations

import pytest

import agents.embedded
from adrs.launch import models_for
from agents.settings import EMBEDDED_MAX_TOKENS


class _Server:
    """Stands in for the llama.cpp server: only its address matters to the settings."""

    base_url = "http://127.0.0.1:9/v1"
    model = "SmolLM2-135M-Instruct"

    def __init__(self, **_: object) -> None:
        pass

    def start(self) -> _Server:
        return self

    def stop(self) -> None:
        pass


@pytest.fixture(autouse=True)
def no_real_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agents.embedded, "EmbeddedServer", _Server)


def test_a_cap_the_user_set_is_kept_on_the_embedded_model(tmp_path):
    with models_for(tmp_path, {"max_tokens": 2000}) as models:
        caps = {role: models.settings.for_role(role).max_tokens for role in models.settings.roles}
    assert set(caps.values()) == {2000}, caps


def test_without_a_cap_the_embedded_model_answers_short(tmp_path):
    with models_for(tmp_path, {}) as models:
        assert models.settings.embedded
        coder = models.settings.for_role("coder")
        assert coder.max_tokens == EMBEDDED_MAX_TOKENS < 2048
        assert models.settings.coder_ensemble[0].max_tokens == EMBEDDED_MAX_TOKENS
