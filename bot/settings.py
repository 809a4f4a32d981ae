"""Runtime settings from the environment (SPEC §4), with single-machine defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import List, Optional

from bot.paths import BUSINESS_PATH, ROOT, VAR_DIR

DEFAULT_DATABASE_URL = "sqlite:///var/needs.db"


def database_url() -> str:
    """``DATABASE_URL``; relative SQLite paths are taken from the repository root."""
    return resolve_sqlite_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def resolve_sqlite_url(url: str) -> str:
    """Make ``sqlite:///relative.db`` absolute against the repository root."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(ROOT / url[len(prefix) :])
    return url


def business_path() -> Path:
    """The business profile (``BUSINESS_FILE``): an edit changes answers without retraining."""
    return Path(os.environ.get("BUSINESS_FILE") or BUSINESS_PATH)


def outbox_path() -> Path:
    """Durable local queue of need-log records (``NEEDLOG_OUTBOX``)."""
    return Path(os.environ.get("NEEDLOG_OUTBOX") or VAR_DIR / "needlog-outbox.sqlite")


def staff_token() -> Optional[str]:
    """``STAFF_TOKEN`` for the report, or None when unset."""
    return os.environ.get("STAFF_TOKEN") or None


def allowed_origins() -> List[str]:
    """``ALLOWED_ORIGINS``: comma-separated origins allowed to embed the widget."""
    raw = os.environ.get("ALLOWED_ORIGINS", "")
    return [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]


def rasa_public_url() -> Optional[str]:
    """``RASA_PUBLIC_URL``: where browsers reach Rasa (default: this host, port 5005)."""
    return os.environ.get("RASA_PUBLIC_URL") or None


def report_timezone() -> str:
    """``REPORT_TIMEZONE`` for days in the report (default Asia/Ho_Chi_Minh)."""
    return os.environ.get("REPORT_TIMEZONE") or "Asia/Ho_Chi_Minh"


def long_wait_minutes() -> float:
    """``STAFF_LONG_WAIT_MINUTES``: longer waits for a person are highlighted (default 5)."""
    raw = os.environ.get("STAFF_LONG_WAIT_MINUTES", "").strip()
    if not raw:
        return 5.0
    try:
        minutes = float(raw)
    except ValueError:
        message = f"STAFF_LONG_WAIT_MINUTES must be a number of minutes, not {raw!r}"
        raise ValueError(message) from None
    if minutes <= 0:
        raise ValueError(f"STAFF_LONG_WAIT_MINUTES must be more than 0, not {raw!r}")
    return minutes


def conversation_secret() -> bytes:
    """Key for hashing sender ids (``CONVERSATION_KEY_SECRET``, else var/secret).

    Replicas must share it (set the env var); on one machine a random key is
    created once in ``var/`` so that a conversation keeps the same key.
    """
    configured = os.environ.get("CONVERSATION_KEY_SECRET")
    if configured:
        return configured.encode("utf-8")
    path = VAR_DIR / "conversation-key.secret"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


# ----- Messenger and Zalo OA (issue #16; how to get each value: deploy/README.md) -----
# Read here, not through ``${VAR}`` in credentials.yml: Rasa refuses to start when a
# variable named there is unset, and a restaurant without a Zalo OA must still run.

DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v25.0"
DEFAULT_ZALO_API_URL = "https://openapi.zalo.me"


def _env(name: str) -> str:
    return (os.environ.get(name) or "").strip()


def facebook_page_access_token() -> str:
    """``FACEBOOK_PAGE_ACCESS_TOKEN``: sends as the page ("" = Messenger off)."""
    return _env("FACEBOOK_PAGE_ACCESS_TOKEN")


def facebook_app_secret() -> str:
    """``FACEBOOK_APP_SECRET``: checks the ``X-Hub-Signature-256`` of every event."""
    return _env("FACEBOOK_APP_SECRET")


def facebook_verify_token() -> str:
    """``FACEBOOK_VERIFY_TOKEN``: the string typed when subscribing the webhook."""
    return _env("FACEBOOK_VERIFY_TOKEN")


def facebook_graph_url() -> str:
    """``FACEBOOK_GRAPH_URL``: the Graph API with its version (tests point it at a fake)."""
    return (_env("FACEBOOK_GRAPH_URL") or DEFAULT_GRAPH_API_URL).rstrip("/")


def zalo_app_id() -> str:
    """``ZALO_APP_ID``: the app at developers.zalo.me that the OA's events come through."""
    return _env("ZALO_APP_ID")


def zalo_oa_secret_key() -> str:
    """``ZALO_OA_SECRET_KEY``: the OA secret key that signs webhook events."""
    return _env("ZALO_OA_SECRET_KEY")


def zalo_oa_access_token() -> str:
    """The OA's access token: ``ZALO_OA_ACCESS_TOKEN``, else ``ZALO_OA_ACCESS_TOKEN_FILE``.

    Zalo's OA access tokens live 25 hours; the file is read on every use so a
    scheduled refresh (deploy/README.md) can replace it without a restart.
    """
    path = _env("ZALO_OA_ACCESS_TOKEN_FILE")
    if _env("ZALO_OA_ACCESS_TOKEN") or not path:
        return _env("ZALO_OA_ACCESS_TOKEN")
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def zalo_api_url() -> str:
    """``ZALO_API_URL``: the OA Open API (tests point it at a fake)."""
    return (_env("ZALO_API_URL") or DEFAULT_ZALO_API_URL).rstrip("/")


def redis_url() -> Optional[str]:
    """``REDIS_URL``: shared memory of webhook events already answered (and Rasa's locks)."""
    return _env("REDIS_URL") or None
