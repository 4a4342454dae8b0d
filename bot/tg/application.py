"""python-telegram-bot's Application behind the few calls the running bot makes, in order.

:meth:`TelegramApp.connect` (getMe: proves the token and the API address) ->
:meth:`~TelegramApp.add_handlers` -> :meth:`~TelegramApp.publish_menu` and
:meth:`~TelegramApp.find_channel` -> :meth:`~TelegramApp.start_polling` (or
:meth:`~TelegramApp.start_webhook`, :mod:`bot.tg.webhook`); then
:meth:`~TelegramApp.stop_polling` and :meth:`~TelegramApp.shutdown`. What cannot start
comes out as :class:`TokenRejected` or :class:`BotApiUnreachable`; nothing else of PTB
leaves this package.
"""

from __future__ import annotations

import logging

from telegram.constants import UpdateType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.oneline import one_line
from bot.render.message import Rendered
from bot.tg.api import TelegramPort, message_kwargs
from bot.tg.handlers import Handlers, publish_commands, register
from bot.tg.liveness import WatchedRequest
from bot.tg.ordering import ChatOrderedProcessor
from bot.tg.transport import BotApiRequest, client_options
from bot.tg.webhook import Webhook, WebhookWatch, start_webhook

log = logging.getLogger(__name__)

#: seconds Telegram may hold a getUpdates open when there is nothing new
LONG_POLL_TIMEOUT = 10
#: updates handled at the same time (of different chats)
RUNNING_UPDATES = 16
#: what the handlers use; asking for less keeps getUpdates small
ALLOWED_UPDATES = [
    UpdateType.MESSAGE,
    UpdateType.CALLBACK_QUERY,
    UpdateType.MY_CHAT_MEMBER,
]


class TokenRejected(Exception):
    """getMe answered 401 or 404: a wrong token, or an address that is no Bot API (PTB
    cannot tell the two apart; its message may quote the token, so it is not kept)."""


class BotApiUnreachable(Exception):
    """getMe got no answer from the Bot API; the message says why, on one line."""


#: PTB's own pool size for the calls other than getUpdates
REQUEST_POOL_SIZE = 256


def build_application(
    token: str, api_base_url: str, polling: WatchedRequest, proxy: str | None = None
) -> Application:  # type: ignore[type-arg]
    """``proxy``: the calls other than getUpdates go through it (``polling`` carries its
    own, the same); None: direct."""
    requests = BotApiRequest(
        connection_pool_size=REQUEST_POOL_SIZE, proxy=proxy, httpx_kwargs=client_options()
    )
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_base_url}/bot")
        .base_file_url(f"{api_base_url}/file/bot")
        # one slow /feeds must not hold up everyone's /latest; one chat's updates in order
        .concurrent_updates(ChatOrderedProcessor(RUNNING_UPDATES))
        .request(requests)
        .get_updates_request(polling)
        .job_queue(None)  # scheduling is ours (bot.jobs); PTB's JobQueue would be a second one
        .build()
    )


class TelegramApp:
    """One bot's connection to Telegram: long polling in, the sender's port out."""

    def __init__(self, token: str, api_base_url: str, proxy: str | None = None) -> None:
        # On shutdown PTB cancels the long poll and calls getUpdates once more to confirm what
        # it fetched; with one pooled connection that call can find it still taken
        # (PoolTimeout), and the last updates would then be handled again after a restart.
        self._polling = WatchedRequest(
            connection_pool_size=2, proxy=proxy, httpx_kwargs=client_options()
        )
        self._application = build_application(token, api_base_url, self._polling, proxy)
        self.message_port = TelegramPort(self._application.bot)
        self._webhook: Webhook | None = None
        self._watch: WebhookWatch | None = None

    @property
    def username(self) -> str:
        return str(self._application.bot.username)

    async def connect(self) -> None:
        """getMe: proves the token and the API address before anything else starts."""
        try:
            await self._application.initialize()
        except InvalidToken:  # for 404 as well as 401
            raise TokenRejected() from None
        except NetworkError as error:
            raise BotApiUnreachable(error.message) from None

    def add_handlers(self, handlers: Handlers) -> None:
        register(self._application, handlers)

    async def publish_menu(self, admins: frozenset[int]) -> None:
        """The command menu; a failure is logged, not fatal."""
        try:
            await publish_commands(self._application, admins)
        except TelegramError as error:
            log.warning("could not publish the command menu: %s", error.message)

    async def find_channel(self, ref: str) -> tuple[int, str] | None:
        """(Telegram's id, title) of a configured channel; None, logged, when the bot
        cannot see it."""
        try:
            chat = await self._application.bot.get_chat(ref)
        except TelegramError as error:
            log.warning("channel %s: %s (is the bot an admin there?)", ref, error.message)
            return None
        return chat.id, chat.title or ref

    async def notify(self, chat_id: int, rendered: Rendered) -> bool:
        """One message to one chat outside the outbox (alerts to admins); False, logged,
        when Telegram refuses it (an admin who never opened a chat with the bot)."""
        try:
            kwargs = message_kwargs(rendered)
            await self._application.bot.send_message(chat_id=chat_id, **kwargs)
        except TelegramError as error:
            log.info("could not notify %s: %s", chat_id, error.message)
            return False
        return True

    async def start_polling(self) -> None:
        """Handle updates from now on (getUpdates long polling), again after
        :meth:`stop_polling` when this replica leads once more; nothing while the webhook
        is served (Telegram refuses getUpdates then, and the updates come by POST)."""
        if self._webhook is not None:
            return
        if not self._application.running:
            await self._application.start()
        updater = self._application.updater
        assert updater is not None
        await updater.start_polling(
            timeout=LONG_POLL_TIMEOUT,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            error_callback=_polling_failed,
        )

    async def start_webhook(self, hook: Webhook) -> None:
        """Handle updates from now on, POSTed by Telegram to ``hook.url`` (setWebhook, then
        PTB's webhook server on ``hook.listen:hook.port``); raises
        :class:`~bot.tg.webhook.WebhookRefused` or :class:`~bot.tg.webhook.WebhookUnservable`."""
        if not self._application.running:
            await self._application.start()
        updater = self._application.updater
        assert updater is not None
        await start_webhook(updater, hook, ALLOWED_UPDATES)
        self._webhook = hook
        self._watch = WebhookWatch(self._application.bot, hook.url)
        self._watch.start()

    @property
    def serves_webhook(self) -> bool:
        """Updates come by POST to this process's webhook server (not long polling)."""
        return self._webhook is not None

    def polling_problem(self, stale_after: float) -> str | None:
        """What is wrong with long polling (or the webhook server), for /healthz (None: it
        runs and, for long polling, Telegram answered it lately)."""
        updater = self._application.updater
        if self._webhook is not None:
            if updater is None or not updater.running:
                return f"the Telegram webhook server on {self._webhook.address} is not running"
            # Telegram retries a failed delivery within a minute: give it that long
            return self._watch.problem(max(stale_after, 60.0)) if self._watch else None
        if updater is None or not updater.running:
            return "Telegram long polling is not running"
        # A quiet long poll is answered only when its timeout is over: give it two.
        unanswered = max(stale_after, 2 * LONG_POLL_TIMEOUT)
        if self._polling.answered_within(unanswered):
            return None
        return (
            f"Telegram has not answered long polling for {self._polling.silent_for():.0f}s "
            "(the Bot API is unreachable or failing; the bot keeps asking)"
        )

    async def stop_polling(self) -> None:
        """No new updates from long polling (those fetched are confirmed to Telegram); the
        webhook server, when served, stays up (see :meth:`stop_webhook`)."""
        updater = self._application.updater
        if self._webhook is None and updater is not None and updater.running:
            await updater.stop()

    async def stop_webhook(self) -> None:
        """No new updates by POST: the webhook server closes; the webhook stays set at
        Telegram, for the other replicas and for the next start."""
        if self._watch is not None:
            await self._watch.stop()
        updater = self._application.updater
        if self._webhook is not None and updater is not None and updater.running:
            await updater.stop()

    async def shutdown(self) -> None:
        """Handlers finish; connections close."""
        if self._application.running:
            await self._application.stop()
        await self._application.shutdown()


def _polling_failed(error: TelegramError) -> None:
    """One line per failed getUpdates (PTB's default is a traceback each time, and an
    outage retries for as long as it lasts); PTB itself retries with backoff."""
    log.warning("Telegram long polling: %s (retrying)", one_line(error))
