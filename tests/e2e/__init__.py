"""End-to-end tests: the real ``feedbot run`` process against a fake Bot API and local feeds."""
