"""Getting queued deliveries to chats: the outbox sender, its limits, its backoff, its port."""
