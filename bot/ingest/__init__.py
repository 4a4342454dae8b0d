"""Feeds in: fetch, decode and parse documents, decide what is new, schedule the next check."""
