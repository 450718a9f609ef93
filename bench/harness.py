"""What the loopback benchmarks (http_bench.py, load_faults.py) share: running a command, and
waiting for a server to answer. Imported by the scripts as a sibling module."""

import socket
import subprocess
import time
import urllib.request


def sh(*args, env=None, check=True, **kwargs):
    """Run a command and capture its output; with `check`, a failure raises with its stderr."""
    result = subprocess.run(args, env=env, check=False, text=True, capture_output=True, **kwargs)
    if check and result.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def wait_for(url, timeout=60):
    """The body of the first successful GET of `url`, polled until `timeout` seconds have passed."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def free_ports(count):
    """`count` distinct loopback ports nothing listens on now (the kernel's choice, so two runs at
    once on one machine do not collide)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
