"""What ships around the code stays in step with it: the lock, the image, the units."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from bot.app.runtime import SHUTDOWN_GRACE, STOP_TIMEOUT
from bot.version import VERSION

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def read(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pinned() -> dict[str, str]:
    lines = [line for line in read("constraints.txt").splitlines() if not line.startswith("#")]
    return {_name(line): line.split("==", 1)[1] for line in lines if line}


def test_every_dependency_is_pinned_in_the_lock() -> None:
    project = PYPROJECT["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    locked = pinned()
    missing = [r for r in wanted if _name(r) not in locked]
    assert not missing, f"not in constraints.txt (run scripts/lock): {missing}"
    assert "socksio" in locked  # httpx[socks]: socks5:// proxies
    assert "transmission-feedbot" not in locked


def test_the_lock_is_what_is_installed() -> None:
    """scripts/test installs from the lock: what runs the tests is what the lock says
    (a package some other Python does not need may be absent)."""
    from importlib import metadata

    for name, version in pinned().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        assert installed == version, f"{name} {installed} installed, {version} locked"


def test_scripts_and_the_image_install_from_the_lock() -> None:
    assert "-c constraints.txt" in read("scripts/_venv.sh")
    dockerfile = read("Dockerfile")
    assert "COPY pyproject.toml constraints.txt" in dockerfile
    assert "pip install -c constraints.txt ." in dockerfile


def test_the_image_labels_name_the_package_version() -> None:
    dockerfile = read("Dockerfile")
    assert f"ARG VERSION={PYPROJECT['project']['version']}" in dockerfile
    assert 'org.opencontainers.image.version="${VERSION}"' in dockerfile
    assert PYPROJECT["project"]["version"] == VERSION
    assert "FEEDBOT_HEALTH_HOST=0.0.0.0" in dockerfile


def test_every_supervisor_waits_as_long_as_the_shutdown_takes() -> None:
    assert STOP_TIMEOUT >= 2 * SHUTDOWN_GRACE + 10  # jobs, then sends, then connections
    compose = yaml.safe_load(read("docker-compose.yml"))
    assert compose["services"]["bot"]["stop_grace_period"] == f"{STOP_TIMEOUT}s"
    assert f"--stop-timeout {STOP_TIMEOUT}" in read("README.md")
    assert f"--stop-timeout {STOP_TIMEOUT}" in read("Dockerfile")
    assert f"TimeoutStopSec={STOP_TIMEOUT}\n" in read("docs/feedbot.service")


def test_compose_publishes_the_health_port_on_loopback_only() -> None:
    compose = yaml.safe_load(read("docker-compose.yml"))
    assert compose["services"]["bot"]["ports"] == ["127.0.0.1:8080:8080"]


def test_the_changelog_has_an_unreleased_section_and_this_version() -> None:
    changelog = read("CHANGELOG.md")
    assert "## [Unreleased]" in changelog
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert VERSION in released
