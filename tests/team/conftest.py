from tests.app.conftest import make_app  # noqa: F401 - the real app on the simulator
