"""Installs Ordo into a temp prefix, builds examples/embedding-minimal and
examples/http-gateway against it with find_package(ordo), runs the first, then starts the
gateway with a private redis-server and drives an order through its lifecycle over real
HTTP, checking statuses and bodies. Usage: http_gateway_test.py BUILD_DIR SOURCE_DIR
"""

import hashlib
import hmac
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

AUTH_KEY = "http-test-key"


def run(*args, **kwargs):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token(role, subject):
    payload = f"{role}.{subject}.{int(time.time()) + 3600}"
    return payload + "." + hmac.new(AUTH_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()


class Api:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, bearer=None, idem=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if idem:
            headers["Idempotency-Key"] = idem
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, json.loads(data) if data else None


def lifecycle(api):
    alice, ops = token("customer", "alice"), token("operator", "ops")
    status, body = api.request("GET", "/orders")
    assert status == 401 and body["error"]["code"] == "unauthenticated", (status, body)
    tampered = alice[:-1] + ("1" if alice.endswith("0") else "0")
    status, body = api.request("GET", "/orders", bearer=tampered)
    assert status == 401, (status, body)
    status, body = api.request("PUT", "/membership", {"member": False}, bearer=alice)
    assert status == 200 and body == {"member": False}, (status, body)
    lines = [{"sku": "A", "qty": 2, "price": 10000}, {"sku": "B", "qty": 1, "price": 5000}]
    status, body = api.request("POST", "/orders", {"lines": lines}, bearer=alice)
    assert status == 400 and body["error"]["code"] == "bad_request", (status, body)  # no key
    status, placed = api.request("POST", "/orders", {"lines": lines}, bearer=alice, idem="h-1")
    assert status == 201 and placed["status"] == "pending_payment" and placed["total"] == 25000, placed
    status, again = api.request("POST", "/orders", {"lines": lines}, bearer=alice, idem="h-1")
    assert status == 201 and again == placed, again
    status, body = api.request("POST", "/orders", {"lines": [lines[0]]}, bearer=alice, idem="h-1")
    assert status == 409 and body["error"]["code"] == "conflict", (status, body)
    order_id = placed["id"]
    for _ in range(250):
        status, got = api.request("GET", f"/orders/{order_id}", bearer=alice)
        if got["status"] == "paid":
            break
        time.sleep(0.02)
    assert got["status"] == "paid", got
    status, body = api.request("GET", f"/orders/{order_id}", bearer=token("customer", "bob"))
    assert status == 404 and body["error"]["code"] == "not_found", (status, body)
    status, body = api.request("POST", f"/orders/{order_id}/ship", {"tracking": "T"}, bearer=alice)
    assert status == 403, (status, body)
    status, body = api.request("POST", f"/orders/{order_id}/return", bearer=alice, idem="h-r")
    assert status == 409 and body["error"]["code"] == "invalid_state", (status, body)
    status, part = api.request("POST", f"/orders/{order_id}/cancel", {"lines": [{"sku": "B", "qty": 1}]},
                               bearer=alice, idem="h-2")
    assert status == 200 and part["refunded"] == 5000 and part["total"] == 20000, part
    status, shipped = api.request("POST", f"/orders/{order_id}/ship", {"tracking": "CJ-1"}, bearer=ops)
    assert status == 200 and shipped["tracking"] == "CJ-1", shipped
    status, body = api.request("POST", f"/orders/{order_id}/deliver", bearer=ops)
    assert status == 200 and body["status"] == "delivered", body
    status, body = api.request("POST", f"/orders/{order_id}/return", bearer=alice, idem="h-3")
    assert status == 200 and body["status"] == "return_requested", body
    status, done = api.request("POST", f"/orders/{order_id}/refund", bearer=ops)
    assert status == 200 and done["status"] == "returned" and done["refunded"] == 20000, done
    status, listed = api.request("GET", "/orders?limit=5", bearer=alice)
    assert status == 200 and [o["id"] for o in listed["orders"]] == [order_id], listed


def main():
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="ordo-install-")
    redis = gateway = None
    try:
        prefix = os.path.join(work, "prefix")
        run("cmake", "--install", build_dir, "--prefix", prefix)
        # Only the public API is installed: include/ordo/ and nothing of the engine's insides.
        include = os.path.join(prefix, "include")
        assert os.listdir(include) == ["ordo"], os.listdir(include)
        for _, dirs, _ in os.walk(os.path.join(include, "ordo")):
            assert not dirs, f"installed include/ordo has subdirectories {dirs}"
        for example in ("embedding-minimal", "http-gateway"):
            out = os.path.join(work, example)
            run("cmake", "-S", os.path.join(source_dir, "examples", example), "-B", out, "-G", "Ninja",
                f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=RelWithDebInfo")
            run("cmake", "--build", out)
        redis_port, http_port = free_port(), free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                                  "--dir", work, "--save", "", "--logfile", os.path.join(work, "redis.log")])
        time.sleep(0.3)
        env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(prefix, "lib"))
        placed = subprocess.run([os.path.join(work, "embedding-minimal", "place-one-order"),
                                 f"127.0.0.1:{redis_port}", AUTH_KEY],
                                check=True, capture_output=True, text=True, env=env).stdout
        assert placed.startswith("placed ") and "19800 KRW, pending_payment" in placed, placed
        gateway = subprocess.Popen([os.path.join(work, "http-gateway", "http-gateway"),
                                    "--listen", f"127.0.0.1:{http_port}", "--redis", f"127.0.0.1:{redis_port}",
                                    "--auth-key", AUTH_KEY, "--key-prefix", "http:"],
                                   stdout=subprocess.PIPE, text=True, env=env)
        ready = gateway.stdout.readline().strip()
        assert ready == f"http-gateway listening on 127.0.0.1:{http_port}", ready
        lifecycle(Api(http_port))
        gateway.terminate()
        assert gateway.wait(timeout=15) == 0
        gateway = None
        print("1 passed, 0 failed")
    finally:
        for process in (gateway, redis):
            if process is not None:
                process.kill()
                process.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
