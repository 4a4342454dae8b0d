"""The documented configuration stays in step with the one the code accepts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config.environment import SECRETS, environment_fields
from bot.config.load import load_config
from bot.config.schema import Config

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "config.example.yaml"
README = REPO / "README.md"


def dotted_keys(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every key a config file may contain, e.g. ``polling.interval``, ``feeds[].url``."""
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        key = f"{prefix}{name}"
        annotation = field.annotation
        nested = _model_in(annotation)
        if nested is None:
            yield key
            continue
        many = "[]" if name in ("feeds", "channels") else ""
        if name == "topics" and prefix == "":
            yield "topics.<name>.keywords"
            continue
        yield from dotted_keys(nested, f"{key}{many}.")


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


KEYS = sorted(dotted_keys(Config))


def test_the_key_list_is_complete() -> None:
    assert "delivery.summary_length" in KEYS
    assert "feeds[].interval" in KEYS
    assert "telegram.channels[].topics" in KEYS


@pytest.mark.parametrize("key", [k for k in KEYS if "[]" not in k and "<" not in k])
def test_every_key_is_in_the_example_config(key: str) -> None:
    config = load_config(EXAMPLE, {"TELEGRAM_BOT_TOKEN": "123:ABC"})
    node: object = config
    for part in key.split("."):
        node = getattr(node, part)
    # present in the file itself (commented keys like telegram.token count too)
    assert f"{key.rsplit('.', 1)[-1]}:" in EXAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", KEYS)
def test_every_key_is_in_the_readme_reference(key: str) -> None:
    assert f"`{key}`" in README.read_text(encoding="utf-8")


def test_example_config_passes_check_config_with_only_the_token() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", "--config", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
        env={"TELEGRAM_BOT_TOKEN": "123456:ABCdef", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_example_defaults_are_the_code_defaults() -> None:
    example = load_config(EXAMPLE, {})
    defaults = Config()
    assert example.model_dump(exclude={"source"}) == defaults.model_dump(exclude={"source"})


@pytest.mark.parametrize(("variable", "field"), sorted(environment_fields().items()))
def test_every_variable_is_in_the_row_of_its_key(variable: str, field: tuple[str, str]) -> None:
    key = ".".join(field)
    rows = README.read_text(encoding="utf-8").splitlines()
    row = next(line for line in rows if line.startswith(f"| `{key}` |"))
    environment = row.split(" | ")[2]
    assert f"`{variable}`" in environment
    if variable in SECRETS:
        assert f"`{variable}_FILE`" in environment
