"""Drives a whole order lifecycle against a real ordod with the Python client: proof that
the protocol is usable from another language. Also checks the client's own semantics: what
call() reads meanwhile comes out of receive() in arrival order, and an oversized request is
the server's frame_too_large error. Starts its own redis-server and ordod (default
max-frame-bytes, 1 MiB) on free loopback ports and stops both by pid.
Usage: python_lifecycle_test.py ORDOD_PATH CLIENT_DIR
"""

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, sys.argv[2])
from ordo_client import Client, OrdoError, mint_token  # noqa: E402

import msgpack  # noqa: E402

AUTH_KEY = "python-test-key"
EMPTY_FRAME = b"\x00\x00\x00\x00"  # answered with bad_request, rid 0; the connection stays open


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


def unread_messages(sock):
    """The whole frames waiting in the socket, decoded without consuming them."""
    data = b""
    if select.select([sock], [], [], 0)[0]:
        data = sock.recv(1 << 20, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    messages = []
    while len(data) >= 4 and len(data) >= 4 + int.from_bytes(data[:4], "big"):
        size = int.from_bytes(data[:4], "big")
        messages.append(msgpack.unpackb(data[4:4 + size], raw=False))
        data = data[4 + size:]
    return messages


def await_unread(client, predicate, seconds=10):
    """Waits until what waits in the client's socket (not yet read by it) satisfies predicate."""
    assert client.buffer == b"", "the client already read part of what the test waits for"
    deadline = time.time() + seconds
    while time.time() < deadline:
        messages = unread_messages(client.sock)
        if predicate(messages):
            return messages
        time.sleep(0.01)
    raise AssertionError(f"still unread after {seconds} s: {unread_messages(client.sock)}")


def is_error(message, code, rid):
    return "push" not in message and message.get("rid") == rid and message["ok"] is False \
        and message["error"]["code"] == code


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


def a_rid_0_reply_read_by_call_comes_out_of_receive(port):
    client = Client("127.0.0.1", port, timeout_s=3)
    client.sock.sendall(EMPTY_FRAME)
    assert client.call("ping")["pong"] is True
    stashed = client.receive()  # call() read it while waiting for the pong
    assert is_error(stashed, "bad_request", 0), stashed
    assert client.call("ping")["pong"] is True
    client.close()


def what_call_reads_meanwhile_comes_out_of_receive_in_arrival_order(port):
    token = mint_token(AUTH_KEY, "customer", "carol")
    watcher = Client("127.0.0.1", port, timeout_s=3)
    watcher.hello(token)
    assert watcher.call("subscribe")["subscribed"] is True
    placer = Client("127.0.0.1", port)
    placer.hello(token)
    # First a rid-0 reply, then both pushes of an order that gets paid, all unread.
    watcher.sock.sendall(EMPTY_FRAME)
    await_unread(watcher, lambda unread: len(unread) == 1)
    order_id = placer.call("place", idem="py-order-1",
                           lines=[{"sku": "A", "qty": 1, "price": 700}])["order"]["id"]
    await_status(placer, order_id, "paid")
    await_unread(watcher, lambda unread: len(unread) == 3)
    # Then a pipelined ping's reply; call() reads all four before its own.
    pipelined = watcher.send("ping")
    assert watcher.call("ping")["pong"] is True
    first, second, third, fourth = (watcher.receive() for _ in range(4))
    assert is_error(first, "bad_request", 0), first
    assert second.get("push") == "order" and second["order"]["id"] == order_id, second
    assert second["order"]["version"] == 1 and second["order"]["status"] == "pending_payment"
    assert third.get("push") == "order" and third["order"]["version"] == 2, third
    assert third["order"]["status"] == "paid", third
    assert fourth["rid"] == pipelined and fourth["pong"] is True, fourth
    watcher.sock.settimeout(0.3)
    try:
        extra = watcher.receive()
        raise AssertionError(f"nothing more was sent, got {extra}")
    except TimeoutError:
        pass
    watcher.close()
    placer.close()


def oversized(size):
    def test(port):
        client = Client("127.0.0.1", port)
        assert client.call("ping")["pong"] is True
        # Unknown fields are ignored, so a long pad makes a well-formed frame of any size.
        expect_error("frame_too_large", client.call, "ping", pad="x" * size)
        try:
            message = client.receive()
            raise AssertionError(f"the server closes after frame_too_large, got {message}")
        except ConnectionError:
            pass
        client.close()
        other = Client("127.0.0.1", port)
        assert other.call("ping")["pong"] is True
        other.close()
    test.__name__ = f"a_request_of_{size >> 20}_mib_is_frame_too_large"
    return test


TESTS = [
    lifecycle,
    a_rid_0_reply_read_by_call_comes_out_of_receive,
    what_call_reads_meanwhile_comes_out_of_receive_in_arrival_order,
    # 2 MiB may fit in the socket buffers; 64 MiB cannot, so ordod closes while the client
    # is still writing and the client must read the reply after its send failed.
    oversized(2 << 20),
    oversized(64 << 20),
]


def run_tests(port):
    failed = []
    for test in TESTS:
        try:
            test(port)
            print(f"ok      {test.__name__}")
        except Exception:  # noqa: BLE001 - every failure is reported, then the next test runs
            print(f"FAILED  {test.__name__}")
            traceback.print_exc(file=sys.stdout)
            failed.append(test.__name__)
        sys.stdout.flush()
    print(f"{len(TESTS) - len(failed)} passed, {len(failed)} failed")
    return not failed


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
        passed = run_tests(ordod_port)
        ordod.send_signal(signal.SIGTERM)
        assert ordod.wait(timeout=15) == 0
        ordod = None
    finally:
        if ordod is not None:
            ordod.kill()
            ordod.wait()
        redis.kill()
        redis.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    return passed


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
