"""Settings precedence (flags > environment > config file > defaults) and key secrecy."""

import random

import pytest

from agents.settings import EMBEDDED_MODEL, SettingsError, load_settings

FILE = """
[models]
base_url = "http://file.example/v1"
model = "file-model"
api_key_env = "FILE_KEY_VAR"
temperature = 0.3

[models.planner]
model = "file-planner"
max_tokens = 999

[[models.coder.ensemble]]
model = "small"
weight = 3
[[models.coder.ensemble]]
model = "big"
weight = 1

[prices]
"big" = { input = 2.0, output = 8.0 }
"""


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "config.toml").write_text(FILE)
    return tmp_path


def test_nothing_configured_means_embedded(tmp_path):
    s = load_settings(tmp_path, env={"OPENAI_API_KEY": "sk-should-not-trigger-remote"})
    assert s.embedded
    assert s.for_role("planner").model == EMBEDDED_MODEL
    assert s.cost_usd(EMBEDDED_MODEL, 10_000, 10_000) == 0.0
    up = s.with_endpoint("http://127.0.0.1:9999/v1")
    assert up.for_role("critic").base_url == "http://127.0.0.1:9999/v1"
    assert up.for_role("critic").structured_method == "json_object_schema"
    # Fitted to a small local server: capped answers, long timeout, no retries ...
    assert (up.for_role("coder").max_tokens, up.for_role("coder").max_retries) == (600, 0)
    assert up.for_role("coder").timeout == 300.0
    # ... unless the user chose the cap.
    chosen = load_settings(tmp_path, flags={"max_tokens": 100}, env={}).with_endpoint("http://h/v1")
    assert chosen.for_role("planner").max_tokens == 100


def test_file_values_and_per_role_sections(workspace):
    s = load_settings(workspace, env={"FILE_KEY_VAR": "file-secret-123"})
    assert not s.embedded
    planner = s.for_role("planner")
    assert planner.model == "file-planner" and planner.max_tokens == 999
    assert planner.temperature == 0.3 and planner.base_url == "http://file.example/v1"
    assert planner.api_key.get_secret_value() == "file-secret-123"
    assert [m.model for m in s.coder_ensemble] == ["small", "big"]
    assert s.cost_usd("big", 1_000_000, 1_000_000) == 10.0
    picks = [s.pick_coder(random.Random(seed)).model for seed in range(200)]
    assert 120 < picks.count("small") < 180  # weights 3:1


def test_environment_beats_file_and_flags_beat_environment(workspace):
    env = {
        "FILE_KEY_VAR": "k1",
        "ADRS_MODEL": "env-model",
        "ADRS_BASE_URL": "http://env/v1",
        "ADRS_CRITIC_MODEL": "env-critic",
        "ADRS_TEMPERATURE": "0.9",
    }
    s = load_settings(workspace, env=env)
    # A global env value beats the file's per-role value; the file's ensemble is replaced.
    assert s.for_role("planner").model == "env-model"
    assert s.for_role("critic").model == "env-critic"
    assert s.for_role("planner").temperature == 0.9
    assert [m.model for m in s.coder_ensemble] == ["env-model"]
    flags = {
        "model": "flag-model",
        "base_url": None,
        "verifier_model": "flag-verifier",
        "max_retries": 5,
    }
    s = load_settings(workspace, flags=flags, env=env)
    assert s.for_role("critic").model == "flag-model"
    assert s.for_role("verifier").model == "flag-verifier"
    assert s.for_role("planner").base_url == "http://env/v1"  # None flag is ignored
    assert s.for_role("coder").max_retries == 5


def test_api_key_sources_in_order(tmp_path):
    env = {
        "ADRS_API_KEY": "adrs-key-aaaaaaaa",
        "OPENAI_API_KEY": "openai-key-bbbbbbbb",
        "ADRS_BASE_URL": "http://x/v1",
        "ADRS_MODEL": "m",
    }
    assert load_settings(tmp_path, env=env).for_role("coder").api_key.get_secret_value() == (
        "adrs-key-aaaaaaaa"
    )
    env.pop("ADRS_API_KEY")
    assert load_settings(tmp_path, env=env).for_role("coder").api_key.get_secret_value() == (
        "openai-key-bbbbbbbb"
    )
    s = load_settings(tmp_path, flags={"api_key": "flag-key-cccccccc"}, env=env)
    assert s.for_role("coder").api_key.get_secret_value() == "flag-key-cccccccc"


def test_key_never_in_repr_dump_or_errors(tmp_path):
    secret = "sk-super-secret-value-1234567890"
    env = {"ADRS_API_KEY": secret, "ADRS_BASE_URL": "http://x/v1", "ADRS_MODEL": "m"}
    s = load_settings(tmp_path, env=env)
    assert secret not in repr(s) and secret not in str(s) and secret not in s.model_dump_json()
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path, flags={"temperature": "hot"}, env=env)
    assert secret not in str(err.value) and "temperature" in str(err.value)
    assert s.secrets() == [secret]


def test_endpoint_without_model_is_a_one_line_error(tmp_path):
    with pytest.raises(SettingsError, match="has no model: pass --model"):
        load_settings(tmp_path, env={"ADRS_BASE_URL": "http://x/v1"})


def test_bad_toml_and_missing_key_variable(tmp_path):
    (tmp_path / "config.toml").write_text("[models\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(tmp_path, env={})
    (tmp_path / "config.toml").write_text('[models]\nmodel="m"\napi_key_env="NOPE"\n')
    with pytest.raises(SettingsError, match="'NOPE', which is not set"):
        load_settings(tmp_path, env={})


def test_a_session_records_its_models_and_never_its_key():
    settings = load_settings(
        None,
        {
            "base_url": "http://h:1/v1",
            "model": "m",
            "temperature": 0.3,
            "api_key": "sk-abcdefghijklmnopqrstuvwxyz",
        },
        env={},
    )
    record = settings.record()
    assert record["embedded"] is False
    assert record["roles"]["planner"]["base_url"] == "http://h:1/v1"
    assert record["roles"]["coder"]["temperature"] == 0.3
    assert "sk-" not in str(record) and "api_key" not in str(record)


def test_a_resume_reaches_the_recorded_models_whatever_the_environment_says():
    recorded = load_settings(
        None, {"base_url": "http://h:1/v1", "model": "m", "max_tokens": 999}, env={}
    ).record()
    env = {"ADRS_BASE_URL": "http://other:2/v1", "ADRS_MODEL": "other", "ADRS_API_KEY": "k" * 20}
    resumed = load_settings(None, {}, env=env, recorded=recorded)
    planner = resumed.for_role("planner")
    assert (planner.base_url, planner.model, planner.max_tokens) == ("http://h:1/v1", "m", 999)
    assert planner.api_key.get_secret_value() == "k" * 20  # the key still comes from outside
    overridden = load_settings(None, {"model": "new"}, env=env, recorded=recorded)
    assert {s.model for s in overridden.roles.values()} == {"new"}
    assert overridden.for_role("critic").base_url == "http://h:1/v1"


def test_a_session_run_on_the_embedded_model_resumes_on_it():
    recorded = load_settings(None, {}, env={}).record()
    assert recorded["embedded"] is True
    resumed = load_settings(
        None, {}, env={"ADRS_BASE_URL": "http://x:1/v1", "ADRS_MODEL": "x"}, recorded=recorded
    )
    assert resumed.embedded
    switched = load_settings(
        None, {"base_url": "http://y:1/v1", "model": "y"}, env={}, recorded=recorded
    )
    assert not switched.embedded and switched.for_role("coder").model == "y"


def test_a_resume_talks_to_the_endpoint_the_way_the_run_did():
    """``legacy_max_tokens`` is a fact about the endpoint (llama.cpp honours only that field):
    a resume that dropped it would let the server generate until its context is full."""
    recorded = load_settings(
        None,
        {},
        env={
            "ADRS_BASE_URL": "http://h:1/v1",
            "ADRS_MODEL": "m",
            "ADRS_LEGACY_MAX_TOKENS": "false",
        },
    ).record()
    assert recorded["roles"]["coder"]["legacy_max_tokens"] is False
    resumed = load_settings(None, {}, env={}, recorded=recorded)
    assert resumed.for_role("coder").legacy_max_tokens is False
