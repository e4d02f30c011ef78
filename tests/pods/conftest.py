"""The app fixtures of tests/app, for the pod details screen's Pilot tests."""

from tests.app.conftest import make_app  # noqa: F401 - a fixture, used by name
