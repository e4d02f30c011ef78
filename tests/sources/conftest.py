"""The app fixtures of tests/app, for the loading pane's Pilot test."""

from tests.app.conftest import make_app  # noqa: F401 - a fixture, used by name
