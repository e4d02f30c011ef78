import pytest

from tests.servers import start_redis


@pytest.fixture
def redis_server(tmp_path):
    server = start_redis(tmp_path, password="s3cret-pw")
    yield server
    server.stop()
