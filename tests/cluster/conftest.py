"""A local three-node Redis Cluster of the tests' own: private ports and directories."""

import shutil
import socket
import subprocess
import time

import pytest
from redis.cluster import RedisCluster

FIRST_PORT, LAST_PORT = 18110, 18189  # the cluster bus listens on each port + 10000


def _free(port):
    for candidate in (port, port + 10000):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                return False
    return True


def _ports(count):
    found = [port for port in range(FIRST_PORT, LAST_PORT) if _free(port)][:count]
    if len(found) < count:
        pytest.fail(f"no {count} free ports between {FIRST_PORT} and {LAST_PORT}")
    return found


def _wait(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the test cluster: {what}")
        time.sleep(0.1)


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _cluster_ok(port):
    done = subprocess.run(["redis-cli", "-p", str(port), "cluster", "info"], capture_output=True, text=True)
    return "cluster_state:ok" in done.stdout


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """redis://127.0.0.1:<port> of a three-node cluster (no replicas), stopped afterwards."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server is not installed")
    ports = _ports(3)
    nodes = []
    try:
        for port in ports:
            directory = tmp_path_factory.mktemp(f"redis-node-{port}")
            command = [
                "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf", "--save", "", "--appendonly", "no", "--dir", str(directory),
            ]  # fmt: skip
            nodes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in ports:
            _wait(lambda port=port: _answers(port), f"node {port} did not start")
        subprocess.run(
            ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{port}" for port in ports),
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        for port in ports:
            _wait(lambda port=port: _cluster_ok(port), f"node {port} never saw the cluster ok")
        yield f"redis://127.0.0.1:{ports[0]}"
    finally:
        for node in nodes:
            node.kill()
            node.wait()


@pytest.fixture
def cluster(redis_cluster, settings):
    """The product's limits and fraud guard on the cluster (REDIS_CLUSTER_URL), emptied first."""
    settings.REDIS_CLUSTER_URL = redis_cluster
    client = RedisCluster.from_url(redis_cluster)
    client.flushall(target_nodes=RedisCluster.PRIMARIES)
    yield client
    client.close()
