"""Shared pytest configuration: fixtures live in plugin modules, one per concern."""

pytest_plugins = [
    "tests.fixtures_localaws",
    "tests.fixtures_terraform",
]
