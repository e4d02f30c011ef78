from tests.executor.conftest import catalogue, make_rig, rig  # noqa: F401 - an executor on the simulator
