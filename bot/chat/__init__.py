"""What a chat's commands and button presses do (``commands``), on topic choices (``choices``)."""
