"""Entry text: feed HTML to plain text (``html``) and measuring it for Telegram (``measure``)."""
