"""The ECHO bot: the least a python-telegram-bot application can do per update.

    python bench/_echo.py API_BASE_URL TOKEN

Replies to every message with its own text; answers every button press and edits the
message to the button's data. Same PTB settings as ``feedbot run`` (long polling, 16
concurrent updates). Runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
from telegram.ext import filters as f


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, message.text)


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await query.edit_message_text(f"pressed {query.data}")


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(16)
        .build()
    )
    application.add_handler(MessageHandler(f.ALL, echo))
    application.add_handler(CallbackQueryHandler(press))
    print("echo bot starting", flush=True)
    application.run_polling(allowed_updates=["message", "callback_query"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
