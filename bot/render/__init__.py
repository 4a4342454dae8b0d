"""Every message a chat sees is built in this package, from the words in ``strings``. Pure.

``pages`` (INCOMING TRANSMISSION, LATEST UPDATES) from ``entries`` blocks and ``keyboards``;
``menu`` (/topics); ``replies`` (/help, /stats); ``feedlist`` (/add, /feeds, /sources);
``choice_text`` (a topic choice in words); ``durations`` (a time span in a few characters);
``plain`` (visible text and the preview's plain form); ``callbacks`` (the callback-data
codec); ``message`` (what they all return).
"""
