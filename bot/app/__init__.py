"""The composition root: builds every piece from the config and runs the CLI's commands."""
