"""Drives a whole order lifecycle against a real ordod with the Python client: proof that
the protocol is usable from another language. Starts its own redis-server and ordod on free
loopback ports and stops both by pid.
Usage: python_lifecycle_test.py ORDOD_PATH CLIENT_DIR
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, sys.argv[2])
from ordo_client import Client, OrdoError, mint_token  # noqa: E402

AUTH_KEY = "python-test-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def expect_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except OrdoError as e:
        assert e.code == code, f"expected {code}, got {e.code}: {e.message}"
        return
    raise AssertionError(f"expected {code}, the call succeeded")


def await_status(client, order_id, status):
    for _ in range(250):
        order = client.call("get", order=order_id)["order"]
        if order["status"] == status:
            return order
        time.sleep(0.02)
    raise AssertionError(f"{order_id} never became {status}")


def lifecycle(port):
    alice = Client("127.0.0.1", port)
    ops = Client("127.0.0.1", port)
    bob = Client("127.0.0.1", port)
    assert alice.call("ping")["pong"] is True
    expect_error("unauthenticated", alice.call, "list")
    expect_error("unauthenticated", alice.hello, mint_token("wrong-key", "customer", "alice"))
    session = alice.hello(mint_token(AUTH_KEY, "customer", "alice"))
    assert session["subject"] == "alice" and session["role"] == "customer"
    ops.hello(mint_token(AUTH_KEY, "operator", "ops"))
    bob.hello(mint_token(AUTH_KEY, "customer", "bob"))
    assert alice.call("membership", member=False)["member"] is False
    watcher = Client("127.0.0.1", port)
    watcher.call("resume", session=session["session"])
    assert watcher.call("subscribe")["subscribed"] is True

    placed = alice.call("place", idem="py-1",
                        lines=[{"sku": "A", "qty": 2, "price": 10000},
                               {"sku": "B", "qty": 1, "price": 5000}])["order"]
    assert placed["status"] == "pending_payment" and placed["total"] == 25000
    assert alice.call("place", idem="py-1", lines=[{"sku": "A", "qty": 2, "price": 10000},
                                                    {"sku": "B", "qty": 1, "price": 5000}])["order"] == placed
    expect_error("conflict", alice.call, "place", idem="py-1", lines=[{"sku": "A", "qty": 1, "price": 1}])
    expect_error("bad_request", alice.call, "place", idem="py-2", lines=[{"sku": "A", "qty": 0, "price": 1}])
    order_id = placed["id"]
    await_status(alice, order_id, "paid")
    expect_error("not_found", bob.call, "get", order=order_id)
    expect_error("forbidden", alice.call, "ship", order=order_id, tracking="T")

    partly = alice.call("cancel", order=order_id, idem="py-3", lines=[{"sku": "B", "qty": 1}])["order"]
    assert partly["total"] == 20000 and partly["refunded"] == 5000
    assert ops.call("ship", order=order_id, tracking="TRK-PY")["order"]["status"] == "shipped"
    assert ops.call("deliver", order=order_id)["order"]["status"] == "delivered"
    assert alice.call("return", order=order_id, idem="py-4")["order"]["status"] == "return_requested"
    done = ops.call("refund", order=order_id)["order"]
    assert done["status"] == "returned" and done["refunded"] == 5000 + 15000, done
    assert done["version"] == 7, done

    listed = alice.call("list", limit=10)["orders"]
    assert [o["id"] for o in listed] == [order_id]
    pushes = []
    while len(pushes) < 7:
        message = watcher.receive()
        assert message.get("push") == "order", message
        pushes.append(message["order"])
    assert [p["version"] for p in pushes] == list(range(1, 8)), pushes
    for client in (alice, ops, bob, watcher):
        client.close()


def main():
    ordod_path = sys.argv[1]
    workdir = tempfile.mkdtemp(prefix="ordo-py-")
    redis_port, ordod_port = free_port(), free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--dir", workdir, "--save", "", "--daemonize", "no",
                              "--logfile", os.path.join(workdir, "redis.log")])
    ordod = None
    try:
        wait_for_port(redis_port)
        ordod = subprocess.Popen([ordod_path, f"--listen=127.0.0.1:{ordod_port}",
                                  f"--redis=127.0.0.1:{redis_port}", f"--auth-key={AUTH_KEY}",
                                  "--key-prefix=py:"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        ready = ordod.stdout.readline().strip()
        assert ready == f"ordod listening on 127.0.0.1:{ordod_port}", ready
        lifecycle(ordod_port)
        ordod.send_signal(signal.SIGTERM)
        assert ordod.wait(timeout=15) == 0
        ordod = None
        print("1 passed, 0 failed")
    finally:
        if ordod is not None:
            ordod.kill()
            ordod.wait()
        redis.kill()
        redis.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
