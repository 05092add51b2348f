"""Configuration: safe defaults, then environment variables, then the
caller's overrides (tests). Secrets never have a default in code: the
session key is generated into `instance/` on first run."""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from hub.instance_keys import read_or_create
from hub.reads.plate_reader import verified_threshold
from policies.loading import PACKS_DIR


def database_url(raw: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` spellings and use
    psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def build_config(instance_path: Path, env: dict[str, str]) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    url = database_url(env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'hub.sqlite3'}")
    idle_minutes = int(env.get("HUB_SESSION_IDLE_MINUTES", "30"))
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": env.get("SECRET_KEY") or read_or_create(
            instance_path / "secret_key", lambda: secrets.token_hex(32).encode()).decode().strip(),
        "HUB_NAME": env.get("HUB_NAME", "Corcoran ALPR partner hub"),
        "POLICY_AGENCY_PACK": env.get("HUB_AGENCY_PACK", "corcoran"),
        "POLICY_PACKS_DIR": env.get("HUB_POLICY_PACKS_DIR") or str(PACKS_DIR),
        "LEDGER_ORIGIN": env.get("HUB_LEDGER_ORIGIN", "corcoran-mn.alpr-hub"),
        "LEDGER_SIGNING_KEY_PATH": env.get("HUB_LEDGER_KEY") or str(instance_path / "ledger-signing-key.pem"),
        "LEDGER_VERIFIER_KEYS_PATH": env.get("HUB_LEDGER_VERIFIER_KEYS"),
        "LEDGER_WITNESS_KEY_PATH": env.get("HUB_LEDGER_WITNESS_KEY"),
        "LEDGER_WITNESS_NAME": env.get("HUB_LEDGER_WITNESS_NAME"),
        "LEDGER_WITNESS_POLL_SECONDS": int(env.get("HUB_LEDGER_WITNESS_POLL_SECONDS", "60")),
        "LEDGER_CHECKPOINT_SECONDS": int(env.get("HUB_LEDGER_CHECKPOINT_SECONDS", "10")),
        "IMAGE_STORE_PATH": env.get("HUB_IMAGE_STORE") or str(instance_path / "images"),
        "IMAGE_KEY_PATH": env.get("HUB_IMAGE_KEY") or str(instance_path / "image-key"),
        "PLATE_HASH_KEY_PATH": env.get("HUB_PLATE_HASH_KEY") or str(instance_path / "plate-hash-key"),
        # The key-encryption key that wraps every data key: made once for a new
        # hub (scripts/run), never by the hub itself; the previous one only
        # while `hub keys rotate-kek` runs. The wrapped data keys live in the
        # key store, outside the database.
        "DATA_KEK_PATH": env.get("HUB_DATA_KEK_FILE") or str(instance_path / "data-kek"),
        "DATA_KEK_PREVIOUS_PATH": env.get("HUB_DATA_KEK_PREVIOUS_FILE"),
        "DATA_KEY_STORE_PATH": env.get("HUB_DATA_KEY_STORE") or str(instance_path / "data-keys"),
        # The hub's own plate reading: the threshold calibrated on the development set.
        "OCR_CONFIDENCE_THRESHOLD": float(env.get("HUB_OCR_CONFIDENCE_THRESHOLD") or verified_threshold()),
        # A camera's own confidence, on the camera's scale.
        "CAMERA_CONFIDENCE_THRESHOLD": float(env.get("HUB_CAMERA_CONFIDENCE_THRESHOLD", "0.80")),
        "INGEST_MAX_READS": 1000,
        "HOT_FILE_PATH": env.get("HUB_HOT_FILE"),
        "WEBHOOK_KEY_PATH": env.get("HUB_WEBHOOK_KEY") or str(instance_path / "webhook-key"),
        "WEBHOOK_JOB_SECONDS": 10,
        "BASE_URL": env.get("HUB_BASE_URL"),
        "AGENCY_CLIENT_URL": env.get("HUB_AGENCY_CLIENT_URL"),
        "ENVIRONMENT": env.get("HUB_ENV", "production"),
        "SMTP_HOST": env.get("HUB_SMTP_HOST"),
        "SMTP_PORT": int(env.get("HUB_SMTP_PORT", "25")),
        "SMTP_FROM": env.get("HUB_SMTP_FROM", "alpr-hub@localhost"),
        "SMTP_USER": env.get("HUB_SMTP_USER"),
        "SMTP_PASSWORD": env.get("HUB_SMTP_PASSWORD"),
        "SMTP_STARTTLS": env.get("HUB_SMTP_STARTTLS", "0") == "1",
        "EMAIL_JOB_SECONDS": 60,
        "HOT_FILE_IMPORT_SECONDS": int(env.get("HUB_HOT_FILE_IMPORT_SECONDS", str(6 * 3600))),
        "RETENTION_JOB_SECONDS": int(env.get("HUB_RETENTION_JOB_SECONDS", "3600")),
        "GRANT_EXPIRY_JOB_SECONDS": 60,
        "BCA_REMINDER_JOB_SECONDS": 24 * 3600,
        "LOG_OF_USE_JOB_SECONDS": 3600,
        "SCHEDULER_STANDBY_SECONDS": float(env.get("HUB_SCHEDULER_STANDBY_SECONDS", "15")),
        "PARTITION_JOB_SECONDS": 3600,
        "INGEST_MAX_IMAGE_BYTES": 2 * 1024 * 1024,
        "SESSION_IDLE_MINUTES": idle_minutes,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=idle_minutes),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("HUB_SECURE_COOKIES", "0") == "1",
        # Rate limits on failed attempts, per client address (Flask-Limiter
        # syntax); the counters are shared through Redis when configured,
        # otherwise through the hub's database.
        "RATELIMIT_STORAGE_URI": env.get("HUB_RATELIMIT_STORAGE_URL") or env.get("REDIS_URL") or "hubdb://",
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": env.get("HUB_RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_SIGN_IN": env.get("HUB_RATELIMIT_SIGN_IN", "20 per 10 minutes"),
        "RATELIMIT_OAUTH_TOKEN": env.get("HUB_RATELIMIT_OAUTH_TOKEN", "30 per 10 minutes"),
        "RATELIMIT_CONSENT_LINK": env.get("HUB_RATELIMIT_CONSENT_LINK", "30 per 10 minutes"),
        "RATELIMIT_INGEST_FAILURES": env.get("HUB_RATELIMIT_INGEST_FAILURES", "120 per 10 minutes"),
        "FAILURE_WINDOW_SECONDS": int(env.get("HUB_FAILURE_WINDOW_SECONDS", "600")),
        "FAILURE_SUMMARY_SECONDS": 60,
        "TRUSTED_PROXIES": int(env.get("HUB_TRUSTED_PROXIES", "0")),
        "LOGIN_LOCK_THRESHOLD": 5,
        "LOGIN_LOCK_MINUTES": 10,
        "PASSWORD_HASH_PROFILE": env.get("HUB_PASSWORD_HASH_PROFILE", "default"),
        "API_TOKEN_DEFAULT_DAYS": 90,
        "API_TOKEN_MAX_DAYS": 365,
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "API_TITLE": "ALPR partner-network hub",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    return config


class ConfigurationError(RuntimeError):
    """A setting the hub cannot start without is missing or wrong."""


def development(config: dict) -> bool:
    return bool(config.get("TESTING") or config.get("DEBUG") or config.get("ENVIRONMENT") == "development")


def base_url(config: dict) -> str:
    """The hub's public address: the OAuth issuer and the base of every
    absolute link. Never taken from a request's Host header, so it is
    required outside development."""
    value = (config.get("BASE_URL") or "").strip()
    if not value:
        if not development(config):
            raise ConfigurationError(
                "HUB_BASE_URL is required: the hub's public address, such as https://alpr.example.gov "
                "(the OAuth issuer and the base of every link). On a workstation, HUB_ENV=development "
                "runs without it.")
        return "http://localhost" if config.get("TESTING") else "http://127.0.0.1:5000"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(f"HUB_BASE_URL must be an http(s) address without query or fragment: {value!r}.")
    return value.rstrip("/")


def finish_config(config: dict) -> None:
    """What follows from the final settings, after the caller's overrides."""
    config["SQLALCHEMY_DATABASE_URI"] = database_url(config["SQLALCHEMY_DATABASE_URI"])
    config["BASE_URL"] = base_url(config)
    # Statement parameters (plates, case numbers, factual bases) never go into
    # an exception's text, and so never into a log: whatever else is set.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options(config["SQLALCHEMY_DATABASE_URI"]),
                                           **config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "hide_parameters": True}
    # The ledger's public keys and the witness key live beside its signing key
    # unless placed elsewhere: one instance directory holds them all.
    keys_dir = Path(config["LEDGER_SIGNING_KEY_PATH"]).parent
    if not config.get("LEDGER_VERIFIER_KEYS_PATH"):
        config["LEDGER_VERIFIER_KEYS_PATH"] = str(keys_dir / "ledger-verifier-keys.txt")
    if not config.get("LEDGER_WITNESS_KEY_PATH"):
        config["LEDGER_WITNESS_KEY_PATH"] = str(keys_dir / "ledger-witness-key.pem")
    if not config.get("LEDGER_WITNESS_NAME"):
        config["LEDGER_WITNESS_NAME"] = f"{config['LEDGER_ORIGIN']}/witness"


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
