"""The executor rig (tests/executor) and the app factory (tests/app), for the limit tests."""

from tests.app.conftest import make_app  # noqa: F401
from tests.executor.conftest import catalogue, make_rig, rig  # noqa: F401
