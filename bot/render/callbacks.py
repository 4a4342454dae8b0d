"""The callback-data codec: what an inline button carries, at most 64 bytes, validated.

Telegram hands ``callback_data`` back verbatim, but a modified client can send anything, so
decoding never trusts it: an unknown shape, a bad number or an overlong string decodes to
``None`` and the handler answers "this button has expired" without changing anything.

Shapes (ids are ours, pages 1-based):
    ``L:<topic id or ->:<page>``   a LATEST UPDATES page (``-``: the chat's own topics)
    ``T:<transmission id>:<page>`` a page of an INCOMING TRANSMISSION
    ``S:<search id>:<page>``       a page of /search results (the words are kept in storage)
    ``G:<topic id>`` / ``G:*``     toggle a topic / everything in /topics (page 1 of it)
    ``G:<topic id or *>:<page>``   the same on another page of /topics
    ``P:<page>``                   a page of the /topics menu
    ``U:<topic id>``               follow a topic (offered when /subscribe named an unknown one)
    ``N``                          the current-page marker (does nothing)
    ``S:<chat id>:<form>``         a /settings text form ("sound off") for one of our chats
    ``E:<op>:<entry id>:<0|1>``    an action under a single-entry push (``op``: one of
                                   :data:`ENTRY_OPS`), the message shown expanded (1) or not
    ``A:<pending>:<n>``            /add: preview the n-th feed a page links to
    ``A:<pending>:+`` / ``:x``     /add: Add / Cancel the previewed feed
    ``F:<verb>:<feed id>:<page>``  a feed's button in /feeds or an alert (verbs below)
    ``FP:<page>`` / ``SP:<page>``  a page of /feeds / of /sources
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
MAX_PAGE = 100_000
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class LatestPage:
    topic_id: int | None
    page: int


@dataclass(frozen=True, slots=True)
class TransmissionPage:
    transmission_id: int
    page: int


@dataclass(frozen=True, slots=True)
class SearchResults:
    search_id: int
    page: int


@dataclass(frozen=True, slots=True)
class ToggleTopic:
    topic_id: int | None  #: None: toggle "everything"
    page: int = 1  #: the /topics page the button is on (shown again after the toggle)


@dataclass(frozen=True, slots=True)
class FollowTopic:
    topic_id: int


@dataclass(frozen=True, slots=True)
class TopicsPage:
    page: int


@dataclass(frozen=True, slots=True)
class Noop:
    pass


MORE, LESS, MUTE, UNMUTE, FEWER, RESTORE = "x", "c", "m", "u", "t", "r"
#: more / less text; mute the entry's feed here / undo; less of its topic / undo
ENTRY_OPS = frozenset({MORE, LESS, MUTE, UNMUTE, FEWER, RESTORE})


@dataclass(frozen=True, slots=True)
class EntryAction:
    op: str  #: one of :data:`ENTRY_OPS`
    entry_id: int
    expanded: bool  #: the message shows the entry's full text now


@dataclass(frozen=True, slots=True)
class SettingsForm:
    chat_id: int  #: our id of the chat whose settings change (a channel's, from a private chat)
    form: str  #: what ``/settings`` would be given: "lang zh_Hans", "sound off"


@dataclass(frozen=True, slots=True)
class AddPick:
    pending: str  #: the pending /add's id (lowercase letters and digits)
    index: int  #: 1-based, among the feeds the page links to


@dataclass(frozen=True, slots=True)
class AddConfirm:
    pending: str


@dataclass(frozen=True, slots=True)
class AddCancel:
    pending: str


#: what a feed's button does: F:<verb>:...
FEED_VERBS = {
    "p": "pause",
    "r": "resume",
    "d": "remove",  # asks to confirm
    "y": "remove_confirmed",
    "k": "keep",  # the confirmation's "no"
    "c": "check",
}
_VERB_CODES = {name: code for code, name in FEED_VERBS.items()}


@dataclass(frozen=True, slots=True)
class FeedButton:
    verb: str  #: a value of FEED_VERBS
    feed_id: int
    page: int = 1  #: the /feeds page it is on (0: an alert, not /feeds)


@dataclass(frozen=True, slots=True)
class FeedsPage:
    page: int


@dataclass(frozen=True, slots=True)
class SourcesPage:
    page: int


Action = (
    LatestPage
    | TransmissionPage
    | SearchResults
    | ToggleTopic
    | FollowTopic
    | TopicsPage
    | Noop
    | SettingsForm
    | AddPick
    | AddConfirm
    | AddCancel
    | FeedButton
    | FeedsPage
    | SourcesPage
    | EntryAction
)
#: the actions only the bot's admins may take
ADMIN_ACTIONS = (AddPick, AddConfirm, AddCancel, FeedButton, FeedsPage)

_LATEST = re.compile(r"L:(-|[1-9][0-9]{0,18}):([1-9][0-9]{0,5})")
_TRANSMISSION = re.compile(r"T:([1-9][0-9]{0,18}):([1-9][0-9]{0,5})")
_SEARCH = re.compile(r"S:([1-9][0-9]{0,18}):([1-9][0-9]{0,5})")
_TOGGLE = re.compile(r"G:(\*|[1-9][0-9]{0,18})(?::([1-9][0-9]{0,5}))?")
_TOPICS = re.compile(r"P:([1-9][0-9]{0,5})")
_FOLLOW = re.compile(r"U:([1-9][0-9]{0,18})")
_SETTINGS = re.compile(r"S:([1-9][0-9]{0,18}):([a-z]{2,8} [A-Za-z_]{1,8})")
_ENTRY = re.compile(r"E:([xcmutr]):([1-9][0-9]{0,18}):([01])")
_ADD = re.compile(r"A:([a-z0-9]{4,16}):(\+|x|[1-9][0-9]?)")
_FEED = re.compile(r"F:([a-z]):([1-9][0-9]{0,18}):(0|[1-9][0-9]{0,5})")
_LIST_PAGE = re.compile(r"(FP|SP):([1-9][0-9]{0,5})")


def encode(action: Action) -> str:
    match action:
        case LatestPage(topic_id, page):
            data = f"L:{'-' if topic_id is None else topic_id}:{page}"
        case TransmissionPage(transmission_id, page):
            data = f"T:{transmission_id}:{page}"
        case SearchResults(search_id, page):
            data = f"S:{search_id}:{page}"
        case ToggleTopic(topic_id, page):
            data = f"G:{'*' if topic_id is None else topic_id}"
            if page != 1:
                data += f":{page}"
        case FollowTopic(topic_id):
            data = f"U:{topic_id}"
        case TopicsPage(page):
            data = f"P:{page}"
        case Noop():
            data = "N"
        case SettingsForm(chat_id, form):
            data = f"S:{chat_id}:{form}"
        case EntryAction(op, entry_id, expanded):
            data = f"E:{op}:{entry_id}:{int(expanded)}"
        case AddPick(pending, index):
            data = f"A:{pending}:{index}"
        case AddConfirm(pending):
            data = f"A:{pending}:+"
        case AddCancel(pending):
            data = f"A:{pending}:x"
        case FeedButton(verb, feed_id, page):
            data = f"F:{_VERB_CODES[verb]}:{feed_id}:{page}"
        case FeedsPage(page):
            data = f"FP:{page}"
        case SourcesPage(page):
            data = f"SP:{page}"
    assert len(data.encode()) <= MAX_BYTES, data
    return data


def decode(data: str | None) -> Action | None:
    """The action a button asks for, or None for anything we did not produce."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    if data == "N":
        return Noop()
    if match := _LATEST.fullmatch(data):
        topic, page = match.groups()
        return _bounded(LatestPage(None if topic == "-" else int(topic), int(page)))
    if match := _TRANSMISSION.fullmatch(data):
        return _bounded(TransmissionPage(int(match.group(1)), int(match.group(2))))
    if match := _SEARCH.fullmatch(data):
        return _bounded(SearchResults(int(match.group(1)), int(match.group(2))))
    if match := _TOGGLE.fullmatch(data):
        topic, page = match.groups()
        return _bounded(ToggleTopic(None if topic == "*" else int(topic), int(page or 1)))
    if match := _TOPICS.fullmatch(data):
        return _bounded(TopicsPage(int(match.group(1))))
    if match := _FOLLOW.fullmatch(data):
        return _bounded(FollowTopic(int(match.group(1))))
    if match := _SETTINGS.fullmatch(data):
        chat_id = int(match.group(1))
        return SettingsForm(chat_id, match.group(2)) if chat_id <= MAX_ID else None
    if match := _ENTRY.fullmatch(data):
        op, entry_id, expanded = match.groups()
        return _bounded(EntryAction(op, int(entry_id), expanded == "1"))
    return _decode_admin(data)


def _decode_admin(data: str) -> Action | None:
    if match := _ADD.fullmatch(data):
        pending, step = match.groups()
        if step == "+":
            return AddConfirm(pending)
        return AddCancel(pending) if step == "x" else AddPick(pending, int(step))
    if (match := _FEED.fullmatch(data)) and match.group(1) in FEED_VERBS:
        verb, feed_id, page = FEED_VERBS[match.group(1)], int(match.group(2)), int(match.group(3))
        return FeedButton(verb, feed_id, page) if feed_id <= MAX_ID else None
    if match := _LIST_PAGE.fullmatch(data):
        kind, page = match.group(1), int(match.group(2))
        return _bounded(FeedsPage(page) if kind == "FP" else SourcesPage(page))
    return None


def _bounded(action: Action) -> Action | None:
    page = getattr(action, "page", 1)
    ids = [
        v
        for name in ("topic_id", "transmission_id", "search_id", "entry_id")
        if (v := getattr(action, name, None))
    ]
    if not 1 <= page <= MAX_PAGE or any(v > MAX_ID for v in ids):
        return None
    return action
