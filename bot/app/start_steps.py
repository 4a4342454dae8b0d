"""The start-up steps of ``feedbot run`` that reach outside (the Bot API, the health port)
or decide the claim code; each failure is a :class:`StartupError` in the config's terms."""

from __future__ import annotations

import logging

from bot.app.errors import StartupError
from bot.chat.claim import ClaimGate, new_claim_code
from bot.config.fields import redact_url
from bot.config.schema import DEFAULT_API_BASE_URL, Config
from bot.health import Health, HealthServer, Metrics
from bot.store import Store
from bot.tg.application import BotApiUnreachable, TelegramApp, TokenRejected

log = logging.getLogger(__name__)


def proxy_note(proxy: str | None) -> str:
    return f" through the proxy {redact_url(proxy)}" if proxy else ""


async def connect_telegram(telegram: TelegramApp, config: Config) -> None:
    """getMe, with what to do about a failure said in the config's terms."""
    where = config.telegram.api_base_url
    try:
        await telegram.connect()
    except TokenRejected:
        hint = "" if where == DEFAULT_API_BASE_URL else f"; and is {where} a Bot API server?"
        raise StartupError(
            "Telegram rejected the bot token (401 Unauthorized or 404 Not Found): check "
            f"TELEGRAM_BOT_TOKEN or telegram.token, @BotFather shows the current token{hint}"
        ) from None
    except BotApiUnreachable as error:
        via = proxy_note(config.telegram.proxy)
        raise StartupError(f"cannot reach the Bot API at {where}{via}: {error}") from None


async def serve_health(config: Config, health: Health, metrics: Metrics) -> HealthServer | None:
    if not config.health.port:
        return None
    server = HealthServer(health, metrics, config.health.host, config.health.port)
    try:
        await server.start()
    except OSError as error:
        raise StartupError(
            f"cannot serve /healthz on {config.health.host}:{config.health.port}: "
            f"{error.strerror or error} (health.port or FEEDBOT_HEALTH_PORT)"
        ) from None
    return server


async def claim_gate(config: Config, store: Store) -> ClaimGate:
    """No admins in the config and none claimed: a one-time code, in the log only."""
    if config.telegram.admins or await store.stored_admins():
        return ClaimGate(None)
    code = new_claim_code()
    log.warning(
        "no admins yet: send /claim %s to the bot in a private chat to become its admin "
        "(the code works once, until the bot restarts)",
        code,
    )
    return ClaimGate(code)
