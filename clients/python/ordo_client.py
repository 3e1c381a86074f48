"""A small client of Ordo's wire protocol (SPEC section 4), written from the SPEC alone.

Frames are a 4-byte big-endian length and one msgpack map. Replies may come out of order,
so call() keeps replies to other rids and pushes until they are asked for.
Needs Debian's python3-msgpack (/usr/bin/python3).
"""

import hashlib
import hmac
import socket
import struct
import time

import msgpack


class OrdoError(Exception):
    """An error reply: .code is the protocol's error code."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def mint_token(auth_key, role, subject, ttl_s=3600):
    """ROLE.SUBJECT.EXPIRY.MAC with MAC = hex HMAC-SHA256 of ROLE.SUBJECT.EXPIRY."""
    payload = f"{role}.{subject}.{int(time.time()) + ttl_s}"
    mac = hmac.new(auth_key.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


class Client:
    def __init__(self, host, port, timeout_s=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.buffer = b""
        self.next_rid = 1
        self.replies = {}
        self.pushes = []

    def close(self):
        self.sock.close()

    def send(self, op, **fields):
        rid = self.next_rid
        self.next_rid += 1
        payload = msgpack.packb({"op": op, "rid": rid, **fields}, use_bin_type=True)
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        return rid

    def _read_message(self):
        while len(self.buffer) < 4 or len(self.buffer) < 4 + struct.unpack(">I", self.buffer[:4])[0]:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("ordod closed the connection")
            self.buffer += chunk
        size = struct.unpack(">I", self.buffer[:4])[0]
        payload, self.buffer = self.buffer[4:4 + size], self.buffer[4 + size:]
        return msgpack.unpackb(payload, raw=False)

    def receive(self):
        """The next message: a reply map, or a push map ({"push": "order", ...})."""
        if self.pushes:
            return self.pushes.pop(0)
        return self._read_message()

    def call(self, op, **fields):
        """Sends one request and returns its successful reply, or raises OrdoError."""
        rid = self.send(op, **fields)
        while rid not in self.replies:
            message = self._read_message()
            if "push" in message:
                self.pushes.append(message)
            else:
                self.replies[message["rid"]] = message
        reply = self.replies.pop(rid)
        if not reply["ok"]:
            raise OrdoError(reply["error"]["code"], reply["error"]["message"])
        return reply

    def hello(self, token):
        return self.call("hello", token=token)
