"""Feeds managed from chat: /add (with discovery and a preview), /remove, /pause, /resume,
/feeds and its buttons, and /sources for everyone."""

from __future__ import annotations

from collections.abc import Callable, Sequence, Sized
from datetime import datetime
from typing import Protocol

from bot.chat.adding import AddRequest, PendingAdd, PendingAdds, read_add
from bot.clock import utcnow
from bot.domain import FeedProbe, FeedSpec, ProbeProblem
from bot.render import callbacks, feedlist
from bot.render.i18n import Locale, Msg, Text
from bot.render.message import ButtonReply, Rendered, message
from bot.render.strings import commands as command_strings
from bot.render.strings import feeds as feed_strings
from bot.render.strings import opml as opml_strings
from bot.render.strings import reading as reading_strings
from bot.store import FollowedFeed, Store
from bot.text.measure import truncate
from bot.text.opml import OpmlError, OpmlFeed, read_opml, write_opml

#: characters of a button's answer (Telegram's limit is 200)
ANSWER_LIMIT = 190
OPML_FILENAME = "transmission-feeds.opml"  #: /export's document
OPML_TITLE = "Transmission: followed feeds"  #: inside the file, for any feed reader
OPML_INVALID_SHOWN = 20  #: invalid outlines listed in an import's summary


class Prober(Protocol):
    """Fetches a URL for /add (``bot.ingest.probe.Prober``)."""

    async def probe(self, url: str, topics: Sequence[str], now: datetime) -> FeedProbe: ...


class FeedAdmin:
    def __init__(
        self,
        store: Store,
        prober: Prober,
        *,
        page_size: int,
        summary_length: int,
        poll_soon: Callable[[], None],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._prober = prober
        self._page_size = page_size
        self._summary_length = summary_length
        self._poll_soon = poll_soon
        self._clock = clock
        self._pending = PendingAdds()

    # ------------------------------------------------------------------ /add

    async def add(self, chat_id: int, argument: str, loc: Locale) -> Rendered:
        request, problem = read_add(argument)
        if request is None:
            return message(loc(problem or feed_strings.ADD_USAGE))
        if duplicate := await self._followed(request.url):
            return message(loc(feed_strings.add_duplicate(duplicate.name)))
        probe = await self._prober.probe(request.url, request.topics, self._clock())
        if len(probe.candidates) == 1:  # a page with one feed: that feed
            if duplicate := await self._followed(probe.candidates[0].url):
                return message(loc(feed_strings.add_duplicate(duplicate.name)))
            probe = await self._prober.probe(probe.candidates[0].url, request.topics, self._clock())
            if probe.candidates:  # a page again: one hop is all we follow
                return message(loc(feed_strings.add_problem_page_again(probe.url)))
        if probe.problem is not None:
            return message(loc(_problem(probe)))
        key = self._pending.put(PendingAdd(chat_id, request, self._clock(), probe.candidates))
        if probe.candidates:
            return feedlist.add_choices(key, probe.candidates, loc)
        return self._preview(key, probe, loc)

    def _preview(self, key: str, probe: FeedProbe, loc: Locale) -> Rendered:
        self._pending.previewing(key, probe.url, probe.title)
        return feedlist.add_preview(
            key,
            probe.title or probe.url,
            probe.entries,
            page_size=self._page_size,
            summary_length=self._summary_length,
            loc=loc,
        )

    async def _followed(self, url: str) -> FollowedFeed | None:
        found = await self._store.find_feeds(url)
        return found[0] if found and found[0].url == url else None

    async def _pick(self, key: str, pending: PendingAdd, index: int, loc: Locale) -> ButtonReply:
        if not 1 <= index <= len(pending.candidates):
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        url = pending.candidates[index - 1].url
        if duplicate := await self._followed(url):
            self._pending.drop(key)
            return ButtonReply(edit=message(loc(feed_strings.add_duplicate(duplicate.name))))
        probe = await self._prober.probe(url, pending.request.topics, self._clock())
        if not probe.is_feed:
            self._pending.drop(key)
            text = feed_strings.add_problem_page_again(url) if probe.candidates else _problem(probe)
            return ButtonReply(edit=message(loc(text)))
        return ButtonReply(edit=self._preview(key, probe, loc))

    async def _confirm(self, key: str, pending: PendingAdd, loc: Locale) -> ButtonReply:
        self._pending.drop(key)
        if pending.feed_url is None:
            return ButtonReply(answer=loc(command_strings.EXPIRED))
        request: AddRequest = pending.request
        now = self._clock()
        if await self._store.add_feed(pending.feed_url, None, request.topics, now) is None:
            found = await self._followed(pending.feed_url)
            name = found.name if found else pending.title or pending.feed_url
            return ButtonReply(edit=message(loc(feed_strings.add_duplicate(name))))
        self._poll_soon()
        name = pending.title or pending.feed_url
        topics = " ".join(f"#{t}" for t in request.topics)
        return ButtonReply(
            answer=loc(feed_strings.ADD_BUTTON), edit=message(loc(feed_strings.added(name, topics)))
        )

    # ------------------------------------------------------------------ /remove /pause /resume

    async def _one(self, command: str, ref: str) -> tuple[FollowedFeed | None, Text]:
        if not ref.strip():
            return None, feed_strings.feed_ref_usage(command)
        found = await self._store.find_feeds(ref)
        if not found:
            return None, feed_strings.no_feed_named(ref.strip())
        if len(found) > 1:
            return None, feed_strings.several_feeds_named(ref.strip(), len(found))
        return found[0], ""

    async def remove(self, argument: str, loc: Locale) -> Rendered:
        feed, problem = await self._one("remove", argument)
        if feed is None:
            return message(loc(problem))
        return message(loc(await self._remove(feed)))

    async def _remove(self, feed: FollowedFeed) -> Msg:
        if feed.managed_by == "config":
            return feed_strings.in_config_file(feed.name)
        await self._store.remove_feed(feed.id)
        return feed_strings.feed_removed(feed.name)

    async def pause(self, argument: str, loc: Locale) -> Rendered:
        feed, problem = await self._one("pause", argument)
        if feed is None:
            return message(loc(problem))
        return message(loc(await self._set_paused(feed, True)))

    async def resume(self, argument: str, loc: Locale) -> Rendered:
        feed, problem = await self._one("resume", argument)
        if feed is None:
            return message(loc(problem))
        return message(loc(await self._set_paused(feed, False)))

    async def _set_paused(self, feed: FollowedFeed, paused: bool) -> Msg:
        if not await self._store.set_paused(feed.id, paused, self._clock()):
            return feed_strings.PAUSED_ALREADY if paused else feed_strings.RUNNING_ALREADY
        if paused:
            return feed_strings.feed_paused(feed.name)
        self._poll_soon()
        return feed_strings.feed_resumed(feed.name)

    # ------------------------------------------------------------------ lists

    async def feeds(self, loc: Locale, page: int = 1) -> Rendered:
        return feedlist.feeds_page(await self._store.followed_feeds(), page, self._clock(), loc)

    async def sources(self, loc: Locale, page: int = 1) -> Rendered:
        return feedlist.sources_page(await self._store.followed_feeds(), page, loc)

    # ------------------------------------------------------------------ OPML

    async def import_opml(self, data: bytes, loc: Locale) -> Rendered:
        """An OPML document's feeds followed (titles kept; folders and categories become
        topics; feeds followed already skipped; invalid outlines listed): one summary."""
        try:
            read = read_opml(data)
        except OpmlError as error:
            return message(loc(opml_strings.opml_unreadable(str(error))))
        specs = [FeedSpec(f.url, f.title or None, f.topics) for f in read.feeds]
        added, skipped = await self._store.import_feeds(specs, self._clock())
        if added:
            self._poll_soon()
        invalid = [truncate(line, 200) for line in read.invalid]
        return message("\n".join(loc(line) for line in _opml_summary(added, skipped, invalid)))

    async def export_opml(self) -> bytes:
        return opml_document(await self._store.followed_feeds(), self._clock())

    # ------------------------------------------------------------------ buttons

    async def button(self, chat_id: int, action: callbacks.Action, loc: Locale) -> ButtonReply:
        """A press of an /add, /feeds, alert or /sources button (admins checked before,
        but for /sources)."""
        now = self._clock()
        match action:
            case callbacks.SourcesPage(page):
                answer = loc(reading_strings.page_number(page))
                return ButtonReply(answer=answer, edit=await self.sources(loc, page))
            case callbacks.FeedsPage(page):
                answer = loc(reading_strings.page_number(page))
                return ButtonReply(answer=answer, edit=await self.feeds(loc, page))
            case callbacks.FeedButton():
                return await self._feed_button(action, loc)
            case callbacks.AddPick(key, _) | callbacks.AddConfirm(key) | callbacks.AddCancel(key):
                pending = self._pending.get(key, chat_id, now)
                if pending is None:
                    return ButtonReply(answer=loc(command_strings.EXPIRED))
                if isinstance(action, callbacks.AddPick):
                    return await self._pick(key, pending, action.index, loc)
                if isinstance(action, callbacks.AddConfirm):
                    return await self._confirm(key, pending, loc)
                self._pending.drop(key)
                return ButtonReply(edit=message(loc(feed_strings.ADD_CANCELLED)))
        return ButtonReply(answer=loc(command_strings.EXPIRED))

    async def _feed_button(self, action: callbacks.FeedButton, loc: Locale) -> ButtonReply:
        feed = await self._store.followed_feed(action.feed_id)
        if feed is None:
            return ButtonReply(answer=loc(feed_strings.FEED_GONE))
        if action.verb == "remove":
            if feed.managed_by == "config":
                answer = loc(feed_strings.in_config_file(feed.name))
                return ButtonReply(answer=truncate(answer, ANSWER_LIMIT))
            return ButtonReply(edit=feedlist.confirm_remove(feed, action.page, loc))
        answer = loc(await self._feed_verb(action.verb, feed))
        short = truncate(answer, ANSWER_LIMIT)  # Telegram refuses longer answers
        if action.page == 0:  # under an alert: it stays, unless a removal was asked there
            done = action.verb in ("remove_confirmed", "keep")
            return ButtonReply(answer=short, edit=message(answer) if done else None)
        if action.verb == "check":  # nothing changed yet: the answer says what comes
            return ButtonReply(answer=short)
        return ButtonReply(answer=short, edit=await self.feeds(loc, action.page))

    async def _feed_verb(self, verb: str, feed: FollowedFeed) -> Text:
        if verb == "pause":
            return await self._set_paused(feed, True)
        if verb == "resume":
            return await self._set_paused(feed, False)
        if verb == "check":
            if feed.paused:
                return feed_strings.PAUSED_STATE
            await self._store.check_now(feed.id)
            self._poll_soon()
            return feed_strings.CHECKING
        if verb == "remove_confirmed":
            return await self._remove(feed)
        return feed_strings.KEPT if verb == "keep" else ""


def _opml_summary(added: Sized, skipped: Sized, invalid: Sequence[str]) -> list[Text]:
    """An import's summary, a line each: counts, the outlines not taken, what happens now."""
    lines: list[Text] = [opml_strings.opml_imported(len(added), len(skipped))]
    if invalid:
        lines.append(opml_strings.opml_invalid(len(invalid)))
        lines.extend(f"- {line}" for line in invalid[:OPML_INVALID_SHOWN])
        if len(invalid) > OPML_INVALID_SHOWN:
            lines.append(reading_strings.and_more(len(invalid) - OPML_INVALID_SHOWN))
    if added:
        lines.append(opml_strings.OPML_NEW_FEEDS)
    return lines


def _problem(probe: FeedProbe) -> Msg:
    if probe.problem is ProbeProblem.UNREACHABLE:
        return feed_strings.add_problem_unreachable(probe.url, probe.detail)
    if probe.problem is ProbeProblem.NO_FEEDS_ON_PAGE:
        return feed_strings.add_problem_no_feeds(probe.url)
    return feed_strings.add_problem_not_a_feed(probe.url, probe.detail)


def opml_document(feeds: Sequence[FollowedFeed], now: datetime) -> bytes:
    """Every followed feed as OPML (``/export`` and ``feedbot feeds export``)."""
    outlines = [OpmlFeed(feed.url, feed.name, feed.topics) for feed in feeds]
    return write_opml(outlines, OPML_TITLE, now)
