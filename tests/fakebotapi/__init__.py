"""A fake Telegram Bot API server, over real HTTP, as strict as the real one where it matters.

Our bot (or python-telegram-bot directly) talks to it exactly as to api.telegram.org:
``{base_url}/bot{token}/{method}`` with JSON, urlencoded or multipart bodies (PTB sends
urlencoded with JSON-encoded values). Answers have the real shapes, ``{"ok": true,
"result": ...}`` or ``{"ok": false, "error_code": N, "description": ..., "parameters": ...}``.

Harness
=======
::

    api = FakeBotAPI(token="123456:TEST-token", bot_username="transmission_test_bot",
                     global_per_second=30, per_chat_per_second=1, group_per_minute=20,
                     limits=True, strict_html=True, callback_ttl=15.0, tolerance=0.05)
    api.start(port=0) -> api          # background thread, own event loop; also a context manager
    api.stop()                        # raises RuntimeError if the fake itself had a bug
    api.base_url                      # "http://127.0.0.1:PORT"
    api.api_url                       # base_url + "/bot" (PTB's ``base_url`` argument)
    api.bot_id                        # from the token's digits

    # the world
    api.add_user(user_id, first_name="", username=None) -> dict
    api.add_private_chat(user_id, first_name="Alice", username=None) -> chat_id
    api.add_group(chat_id, title="Test group", admins=(), *, creator=None, supergroup=False,
                  username=None, bot_is_admin=False) -> chat_id
    api.add_channel(chat_id, username, title=None, admins=(), *, creator=None) -> chat_id
    api.block_chat(chat_id, description=None, *, notify=True); api.unblock_chat(chat_id)
    api.migrate_group(old_id, new_id)
    api.set_limits(enabled=True, *, global_per_second=None, per_chat_per_second=None,
                   group_per_minute=None)

    # outages: calls fail instead of working (nothing is delivered), logged as refused
    api.fail(status=500, *, times=None, seconds=None, chat_id=None, methods=None,
             description=None, delay=0.0)          # a 5xx answer (Telegram-shaped JSON)
    api.drop_connections(*, times=None, seconds=None, chat_id=None, methods=None, delay=0.0)
    api.clear_faults()                              # neither times nor seconds: until this

    # users
    api.user_sends(chat_id, user_id, text, *, reply_to=None) -> update dict
    api.user_presses(chat_id, user_id, message_id, callback_data) -> callback query id

    # what the bot did
    api.messages(chat_id) -> list[SentMessage]   # as they stand now; .text is the raw HTML,
                                                 # .plain_text the parsed text, .reply_markup,
                                                 # .edits, .date, .buttons(), .callback_data()
    api.message(chat_id, message_id); api.last_message(chat_id)
    api.sent_log(method=None, *, ok=None) -> list[LogEntry]  # sends/edits/deletes, refused too
    api.rejections(error_code=None) -> list[LogEntry]        # e.g. rejections(429)
    api.calls(method=None) -> list[ApiCall]                  # every request, params normalised
    api.answers() -> list[Answer]; api.answer_for(query_id) -> Answer | None
    api.pending_updates(); api.commands(scope=None, language_code="")
    api.webhook_info()                                       # getWebhookInfo's answer now
    api.webhook_deliveries() -> list[Delivery]               # POSTs to the webhook, refused too
    api.waiting_polls                                        # long polls waiting right now
    api.internal_errors                                      # bugs in the fake (also 500s)

    # waiting: sync (any thread but the bot's event loop) and async
    api.wait_for(predicate, timeout=10.0, what="") -> value   # None/False mean "not yet"
    api.wait_messages(chat_id, n=1, timeout=10.0) -> list[SentMessage]
    api.wait_answer(query_id, timeout=10.0) -> Answer
    api.wait_updates_consumed(timeout=10.0)
    await api.wait_for_async(...); await api.wait_messages_async(...)
    await api.wait_answer_async(...)

Every harness method is thread-safe (one lock) and cheap; the sync waits wake on every state
change. Standalone, for benchmarks: ``python -m tests.fakebotapi --port N [--token T]
[--no-limits]`` prints the base URL; another process drives it through the JSON control API
under ``/_fake/`` (see :mod:`.control`).

Emulated
========
* Methods: getMe, getUpdates, setWebhook, deleteWebhook, getWebhookInfo, setMyCommands,
  getMyCommands, deleteMyCommands, sendMessage, editMessageText, editMessageReplyMarkup,
  deleteMessage, answerCallbackQuery, getChat, getChatMember, getChatAdministrators,
  sendChatAction, close, logOut. Method names are case-insensitive, as on the real server.
* Anything else: 404 "Not Found" (recorded in ``calls``). A token of the wrong shape: 404;
  a well-formed wrong token: 401 "Unauthorized".
* getUpdates: offset confirms (negative offsets keep the tail), limit 1..100, timeout
  long-polls and returns as soon as an update is queued, allowed_updates persists between
  calls (empty = the default set, without chat_member and reactions), and a second poll ends
  a waiting one with 409 "Conflict: terminated by other getUpdates request; ...".
* Webhooks (:mod:`.webhooks`): while one is set, getUpdates is 409 "Conflict: can't use
  getUpdates method while webhook is active; ..." and queued updates are POSTed to its URL
  (in order, with X-Telegram-Bot-Api-Secret-Token), each kept until answered 2xx and
  retried otherwise; getWebhookInfo shows the last error. https on Telegram's four ports,
  or http to a loopback address (as a self-hosted Bot API server would deliver).
* HTML (:mod:`.html_check`): Telegram's tags and its error wording, "Bad Request: can't parse
  entities: <reason> at byte offset N". Length after parsing in UTF-16 units: > 4096 is
  "Bad Request: message is too long"; nothing visible is "Bad Request: message text is empty".
  MarkdownV2/Markdown/plain text are accepted unparsed (length measured on the raw text).
* Inline keyboards (:mod:`.markup`): text plus exactly one action; callback_data 1..64 UTF-8
  bytes else "Bad Request: BUTTON_DATA_INVALID"; url http(s)/tg else
  "Bad Request: BUTTON_URL_INVALID"; more than 100 buttons "Bad Request: REPLY_MARKUP_TOO_LONG".
* Edits: "Bad Request: message to edit not found", "Bad Request: message can't be edited"
  (a user's message), "Bad Request: message is not modified: specified new message content
  and reply markup are exactly the same as a current content and reply markup of the
  message". An edit without reply_markup removes the keyboard, as on the real server.
* answerCallbackQuery: an unknown, already answered or older than ``callback_ttl`` query is
  "Bad Request: query is too old and response timeout expired or query ID is invalid";
  text over 200 characters is "Bad Request: MESSAGE_TOO_LONG".
* Flood control (:mod:`.limits`): 429 "Too Many Requests: retry after N" with
  ``parameters.retry_after``; the message is not delivered and early retries are refused
  again. sendMessage counts toward the global, per-chat and per-group windows (groups,
  supergroups and channels); edits count toward the global window only.
* Chats: @username resolves to the chat; unknown chats are "Bad Request: chat not found".
  Blocked: 403 "Forbidden: bot was blocked by the user" / "bot was kicked from the group
  chat" / "bot was kicked from the supergroup chat" / "bot is not a member of the channel
  chat" (or any description), plus a my_chat_member update. Migrated groups: 400 "Bad
  Request: group chat was upgraded to a supergroup chat" with ``migrate_to_chat_id``, plus
  the two service messages (migrate_to_chat_id / migrate_from_chat_id).
* Outages (:mod:`.faults`): for N calls, for a span of time or until cleared, all methods
  or some, all chats or one: a 5xx with a JSON body ``{"ok": false, "error_code": 502,
  "description": "Bad Gateway"}``, or the connection closed without an answer. The call
  does nothing and is logged as refused (a dropped one with ``error_code`` None).
* Users' messages carry ``bot_command`` entities wherever Telegram marks them, including
  "/cmd@botname"; callback queries embed the bot's message as it stands.

Deliberately not emulated
=========================
Media, files (``/file/bot...`` is 404), webhook certificates and ip_address, parallel
webhook connections, inline mode, payments, forum topics,
business connections, reactions, message entities other than bot_command in users' texts,
group privacy mode (the bot sees every group message), MarkdownV2 parsing, per-chat limits
on edits, and the real server's habit of ignoring some invalid input. Strict HTML (default)
is stricter than Telegram about a bare "&", unknown named entities like "&nbsp;" and
``<a>`` without a http/https/tg/mailto href, since each means the bot forgot to escape.
"""

from .errors import ApiError
from .harness import FakeBotAPI
from .html_check import HtmlError, ParsedText, parse_html, utf16_len
from .limits import FloodLimiter, LimitConfig
from .records import Answer, ApiCall, LogEntry, SentMessage

__all__ = [
    "Answer",
    "ApiCall",
    "ApiError",
    "FakeBotAPI",
    "FloodLimiter",
    "HtmlError",
    "LimitConfig",
    "LogEntry",
    "ParsedText",
    "SentMessage",
    "parse_html",
    "utf16_len",
]
