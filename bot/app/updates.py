"""Webhook mode for ``feedbot run``, when ``telegram.webhook.url`` is set: every replica
serves the webhook (behind a load balancer any of them may take an update), whoever sends;
long polling, the other way, is one consumer per token.
"""

from __future__ import annotations

from bot.app.errors import StartupError
from bot.config.schema import Config
from bot.tg.application import TelegramApp
from bot.tg.webhook import Webhook, WebhookRefused, WebhookUnservable

_PORT_KEYS = "telegram.webhook.port or FEEDBOT_TELEGRAM_WEBHOOK_PORT"


def webhook_of(config: Config) -> Webhook | None:
    """The webhook to serve, or None for long polling."""
    hook = config.telegram.webhook
    if hook.url is None:
        return None
    secret = config.webhook_secret
    assert secret is not None  # `run` has a token
    return Webhook(
        url=hook.url, listen=hook.listen, port=hook.port, path=hook.path, secret_token=secret
    )


async def serve_webhook(telegram: TelegramApp, config: Config) -> str | None:
    """In webhook mode, setWebhook and serve it (in every replica); what the "running:"
    line says about it. None: long polling (``TelegramApp.start_polling``, which calls
    deleteWebhook first: back from webhook mode)."""
    hook = webhook_of(config)
    if hook is None:
        return None
    try:
        await telegram.start_webhook(hook)
    except WebhookRefused as error:
        raise StartupError(
            f"setWebhook failed for {hook.url}: {error} (telegram.webhook.url or "
            "FEEDBOT_TELEGRAM_WEBHOOK_URL)"
        ) from None
    except WebhookUnservable as error:
        raise StartupError(
            f"cannot serve the Telegram webhook on {hook.address}: {error} ({_PORT_KEYS})"
        ) from None
    return f"Telegram webhook {hook.url} served on {hook.address}"
