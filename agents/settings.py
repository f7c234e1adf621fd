"""Model settings per agent role, resolved from CLI flags, the environment and a config file.

Precedence, highest first: CLI flags (a plain dict), the environment, ``<workspace>/config.toml``,
built-in defaults. A global value from a higher source beats a per-role value from a lower one:
``--model X`` means every role uses X, whatever the file says. With no endpoint and no model
configured anywhere, ``embedded`` is true and the caller starts the bundled llama.cpp server
(``agents.embedded``), then calls :meth:`AgentSettings.with_endpoint`.

Config file (all keys optional)::

    [models]                      # defaults for every role
    base_url = "http://127.0.0.1:8000/v1"
    model = "qwen2.5-coder-7b"
    api_key_env = "MY_PROVIDER_KEY"   # name of the variable holding the key (preferred)
    temperature = 0.7
    max_tokens = 4096
    timeout = 120                 # seconds per request
    max_retries = 2
    requests_per_minute = 60

    [models.planner]              # per role: planner, coder, critic, verifier
    model = "big-model"

    [[models.coder.ensemble]]     # weighted ensemble for the coder
    model = "small-model"
    weight = 0.8
    [[models.coder.ensemble]]
    model = "big-model"
    weight = 0.2

    [prices]                      # $ per 1M tokens
    "big-model" = { input = 2.0, output = 8.0 }

Flags dict keys: ``base_url``, ``api_key``, ``model``, ``temperature``, ``max_tokens``,
``timeout``, ``max_retries``, ``requests_per_minute``, and per role ``<role>_<key>``
(e.g. ``planner_model``). ``None`` values are ignored, so an argparse namespace's ``vars()`` can be
passed as is. Environment: ``ADRS_BASE_URL`` (or ``OPENAI_BASE_URL``), ``ADRS_API_KEY`` (or
``OPENAI_API_KEY``), ``ADRS_MODEL``, ``ADRS_<ROLE>_MODEL``, ``ADRS_TEMPERATURE``,
``ADRS_MAX_TOKENS``, ``ADRS_TIMEOUT``, ``ADRS_MAX_RETRIES``, ``ADRS_REQUESTS_PER_MINUTE``.

API keys are ``SecretStr``: they never appear in ``repr``, ``model_dump_json`` or errors.
"""

from __future__ import annotations

import os
import random
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError

ROLES: tuple[str, ...] = ("planner", "coder", "critic", "verifier")
EMBEDDED_MODEL = "SmolLM2-135M-Instruct"
CONFIG_FILE = "config.toml"
#: A 135M model rambles: short answers keep a demonstration session to minutes, and at ~30
#: tokens/s under load 2048 tokens outlast any timeout. Applied only when the user set no cap.
EMBEDDED_MAX_TOKENS = 600
EMBEDDED_TIMEOUT_S = 300.0

StructuredMethod = Literal["json_schema", "function_calling", "json_object_schema", "prompt"]

#: Per-role settings a user gives by flag, environment variable (``ADRS_<KEY>``,
#: ``ADRS_<ROLE>_<KEY>``) or config.toml. A session records them all (``AgentSettings.record``)
#: and a resume reuses them, so it talks to the endpoint the way the run did; the first two
#: name the endpoint. API keys are never recorded: they come from the environment each time.
SETTING_KEYS = (
    "base_url",
    "model",
    "temperature",
    "max_tokens",
    "timeout",
    "max_retries",
    "requests_per_minute",
    "legacy_max_tokens",
)

# Public list prices in $ per 1M tokens (input, output); override them in config.toml [prices].
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    EMBEDDED_MODEL: (0.0, 0.0),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o3": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
}


class SettingsError(ValueError):
    """A model setting is missing or malformed; the message is one line saying what to fix."""


class Price(BaseModel):
    """Dollars per one million input / output tokens."""

    input: float = Field(0.0, ge=0)
    output: float = Field(0.0, ge=0)

    def cost_usd(self, input_tokens: int, output_tokens: int) -> float:
        """Cost of one call."""
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


class ModelSettings(BaseModel):
    """How one role reaches one model. ``api_key`` is secret: never log or store it."""

    model_config = {"frozen": True}

    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = EMBEDDED_MODEL
    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(2048, gt=0)
    timeout: float = Field(120.0, gt=0)
    max_retries: int = Field(2, ge=0)
    requests_per_minute: float | None = Field(None, gt=0)
    weight: float = Field(1.0, gt=0)
    # Also send the legacy ``max_tokens`` field (llama.cpp honours only that one). None: yes,
    # except for OpenAI and Azure OpenAI hosts, which reject it for newer models.
    legacy_max_tokens: bool | None = None
    # Where the structured-output fallback chain starts for this endpoint (None: the top).
    structured_method: StructuredMethod | None = None

    @property
    def endpoint(self) -> str:
        """Identity of the server+model pair, used to remember what works there."""
        return f"{self.base_url or 'openai-default'}|{self.model}"


class AgentSettings(BaseModel):
    """Resolved settings for all roles, the coder ensemble and the price table."""

    roles: dict[str, ModelSettings]
    coder_ensemble: list[ModelSettings]
    prices: dict[str, Price]
    embedded: bool = False

    def for_role(self, role: str) -> ModelSettings:
        """Settings of one role; the coder's are the first ensemble member."""
        if role not in self.roles:
            raise SettingsError(f"unknown agent role {role!r}: expected one of {', '.join(ROLES)}")
        return self.roles[role]

    def pick_coder(self, rng: random.Random) -> ModelSettings:
        """Draw one coder model from the weighted ensemble (seeded by the caller)."""
        members = self.coder_ensemble or [self.roles["coder"]]
        return rng.choices(members, weights=[m.weight for m in members], k=1)[0]

    def price_of(self, model: str) -> Price | None:
        """The model's price, or None when unknown (costs then count as 0: say so to the user)."""
        return self.prices.get(model)

    def cost_usd(self, model: str, input_tokens: int, output_tokens: int) -> float:
        """Dollar cost of one call from the price table (0 for unknown models)."""
        price = self.price_of(model)
        return price.cost_usd(input_tokens, output_tokens) if price else 0.0

    def with_endpoint(self, base_url: str, model: str = EMBEDDED_MODEL) -> AgentSettings:
        """Point every role at the embedded server once it is up.

        Also fits the settings to a small local server on a shared CPU: no retries (a busy local
        server does not get faster), a longer timeout, and answers capped at
        ``EMBEDDED_MAX_TOKENS`` unless the user chose a cap.
        """
        update = {
            "base_url": base_url,
            "model": model,
            "structured_method": "json_object_schema",
            "max_retries": 0,
        }
        roles = {}
        for role, s in self.roles.items():
            fitted = dict(update)
            if "max_tokens" not in s.model_fields_set:
                fitted["max_tokens"] = EMBEDDED_MAX_TOKENS
            if "timeout" not in s.model_fields_set:
                fitted["timeout"] = EMBEDDED_TIMEOUT_S
            roles[role] = s.model_copy(update=fitted)
        return self.model_copy(
            update={"roles": roles, "coder_ensemble": [roles["coder"]], "embedded": True}
        )

    def record(self) -> dict[str, Any]:
        """What a session keeps of these settings, so ``adrs resume`` reaches the same models:
        per role the endpoint, model and sampling settings (never a key); for the embedded
        model only the sampling settings (its server gets a new port each run)."""
        keys = SETTING_KEYS[2:] if self.embedded else SETTING_KEYS
        roles = {
            role: {k: getattr(m, k) for k in keys if getattr(m, k) is not None}
            for role, m in self.roles.items()
        }
        return {"embedded": self.embedded, "roles": roles}

    def secrets(self) -> list[str]:
        """Every configured API key value, for scrubbing error text; never print this."""
        found = {
            s.api_key.get_secret_value()
            for s in [*self.roles.values(), *self.coder_ensemble]
            if s.api_key is not None and s.api_key.get_secret_value()
        }
        return sorted(found)


def _env_layer(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Global and per-role values found in the environment."""
    glob: dict[str, Any] = {}
    base_url = env.get("ADRS_BASE_URL") or env.get("OPENAI_BASE_URL")
    if base_url:
        glob["base_url"] = base_url
    key = env.get("ADRS_API_KEY") or env.get("OPENAI_API_KEY")
    if key:
        glob["api_key"] = key
    for name in SETTING_KEYS:
        value = env.get(f"ADRS_{name.upper()}")
        if value not in (None, "") and name not in glob:
            glob[name] = value
    per_role: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        for name in SETTING_KEYS:
            value = env.get(f"ADRS_{role.upper()}_{name.upper()}")
            if value not in (None, ""):
                per_role.setdefault(role, {})[name] = value
    return glob, per_role


def _flag_layer(flags: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Global and per-role values from the CLI flags dict (None means not given)."""
    keys = (*SETTING_KEYS, "api_key")
    glob = {k: flags[k] for k in keys if flags.get(k) is not None}
    per_role: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        for k in keys:
            value = flags.get(f"{role}_{k}")
            if value is not None:
                per_role.setdefault(role, {})[k] = value
    return glob, per_role


def _read_file(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """Parse config.toml; ``api_key_env`` is replaced by the key it names."""
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from None

    def resolve_key(section: dict[str, Any]) -> dict[str, Any]:
        section = dict(section)
        var = section.pop("api_key_env", None)
        if var:
            if not env.get(var):
                raise SettingsError(f"{path}: api_key_env names {var!r}, which is not set")
            section["api_key"] = env[var]
        return section

    models = data.get("models", {})
    if not isinstance(models, dict):
        raise SettingsError(f"{path}: [models] must be a table")
    out: dict[str, Any] = {"global": {}, "roles": {}, "ensemble": [], "prices": {}}
    out["global"] = resolve_key({k: v for k, v in models.items() if k not in ROLES})
    for role in ROLES:
        section = dict(models.get(role, {}))
        ensemble = section.pop("ensemble", [])
        out["roles"][role] = resolve_key(section)
        if role == "coder":
            out["ensemble"] = [resolve_key(member) for member in ensemble]
    out["prices"] = data.get("prices", {})
    return out


def load_settings(
    workspace: str | os.PathLike[str] | None = None,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    recorded: Mapping[str, Any] | None = None,
) -> AgentSettings:
    """Resolve the settings of every role: flags, then environment, then config file, then defaults.

    ``recorded`` is a resumed session's ``AgentSettings.record()``: it ranks just below the
    flags, so a session resumes on the models it ran with whatever the environment now says,
    and a flag given to ``resume`` still wins. ``env`` defaults to ``os.environ`` (tests pass
    their own). Raises :class:`SettingsError` with a one-line message on a malformed value; the
    message never contains an API key.
    """
    env = os.environ if env is None else env
    flags = flags or {}
    if recorded:
        flags = _under_flags(recorded, flags)
        if recorded.get("embedded") and not _names_an_endpoint(flags):
            env = {k: v for k, v in env.items() if "KEY" in k}  # the endpoint is the recorded one
            workspace = None
    file_layer: dict[str, Any] = {"global": {}, "roles": {}, "ensemble": [], "prices": {}}
    if workspace is not None and (Path(workspace) / CONFIG_FILE).is_file():
        file_layer = _read_file(Path(workspace) / CONFIG_FILE, env)
    env_glob, env_roles = _env_layer(env)
    flag_glob, flag_roles = _flag_layer(flags)

    roles: dict[str, ModelSettings] = {}
    merged_by_role: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        merged: dict[str, Any] = {}
        for layer in (
            file_layer["global"],
            file_layer["roles"].get(role, {}),
            env_glob,
            env_roles.get(role, {}),
            flag_glob,
            flag_roles.get(role, {}),
        ):
            merged.update(layer)
        merged_by_role[role] = merged
        roles[role] = _build(merged, f"{role} model")

    configured = any(m.get("base_url") or "model" in m for m in merged_by_role.values())
    embedded = not configured
    if configured:
        for role, merged in merged_by_role.items():
            if merged.get("base_url") and "model" not in merged:
                raise SettingsError(
                    f"endpoint {merged['base_url']} is set but the {role} has no model: "
                    "pass --model or set ADRS_MODEL"
                )

    ensemble = [roles["coder"]]
    # A model chosen on the command line or in the environment replaces the file's ensemble.
    overridden = any(
        "model" in layer
        for layer in (env_glob, env_roles.get("coder", {}), flag_glob, flag_roles.get("coder", {}))
    )
    if file_layer["ensemble"] and not overridden:
        base = merged_by_role["coder"]
        ensemble = [
            _build({**base, **member}, "coder ensemble member") for member in file_layer["ensemble"]
        ]
        roles["coder"] = ensemble[0]

    prices = {name: Price(input=i, output=o) for name, (i, o) in DEFAULT_PRICES.items()}
    for name, entry in file_layer["prices"].items():
        try:
            prices[name] = Price.model_validate(entry)
        except ValidationError as exc:
            raise SettingsError(f"config.toml [prices] {name!r}: {_first_error(exc)}") from None
    return AgentSettings(roles=roles, coder_ensemble=ensemble, prices=prices, embedded=embedded)


def _names_an_endpoint(flags: Mapping[str, Any]) -> bool:
    return any(flags.get(k) is not None for k in ("base_url", "model")) or any(
        flags.get(f"{role}_{k}") is not None for role in ROLES for k in ("base_url", "model")
    )


def _under_flags(recorded: Mapping[str, Any], flags: Mapping[str, Any]) -> dict[str, Any]:
    """The recorded per-role values as flags, each yielding to a flag the user gave now (a
    global flag such as ``--model`` beats every role's recorded value)."""
    merged = dict(flags)
    for role, values in (recorded.get("roles") or {}).items():
        if role not in ROLES:
            continue
        for key, value in values.items():
            if (
                key in SETTING_KEYS
                and flags.get(key) is None
                and merged.get(f"{role}_{key}") is None
            ):
                merged[f"{role}_{key}"] = value
    return merged


def _first_error(exc: ValidationError) -> str:
    """One line from a pydantic error, without echoing the input value (it may be a key)."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "value"
    return f"{where}: {err['msg']}"


def _build(values: dict[str, Any], what: str) -> ModelSettings:
    """Validate one merged layer into ModelSettings with a one-line, key-free error."""
    try:
        return ModelSettings.model_validate(values)
    except ValidationError as exc:
        raise SettingsError(f"{what} setting {_first_error(exc)}") from None
