"""The configuration: read and validated once (YAML + env), passed on as frozen values."""
