"""A small client of Ordo's wire protocol, as docs/PROTOCOL.md describes it.

Frames are a 4-byte big-endian length and one msgpack map. Replies may come out of order,
so call() keeps whatever else it reads while waiting for its own reply (replies to other
rids, rid-0 errors, pushes) in one queue, in arrival order, and receive() returns that
queue first, as ordo::client (clients/client.hpp) does.
Error replies to call() raise OrdoError; a broken or closed connection raises OSError
(ConnectionError, or TimeoutError when nothing arrives within the client's timeout).
Needs Debian's python3-msgpack (/usr/bin/python3).
"""

import collections
import hashlib
import hmac
import socket
import struct
import time

import msgpack


class OrdoError(Exception):
    """An error reply: .code is the protocol's error code, .message its text."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def mint_token(auth_key, role, subject, ttl_s=3600):
    """ROLE.SUBJECT.EXPIRY.MAC with MAC = hex HMAC-SHA256 of ROLE.SUBJECT.EXPIRY."""
    payload = f"{role}.{subject}.{int(time.time()) + ttl_s}"
    mac = hmac.new(auth_key.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def _error(reply):
    return OrdoError(reply["error"]["code"], reply["error"].get("message", ""))


def _is_frame_too_large(message):
    # ordod answers an oversized frame from its header alone, so the reply carries rid 0;
    # then it closes the connection. It is the answer to whatever frame was being sent.
    return ("push" not in message and message.get("rid") == 0 and message.get("ok") is False
            and message["error"]["code"] == "frame_too_large")


class Client:
    def __init__(self, host, port, timeout_s=10.0):
        """Connects; timeout_s bounds the connect, each read from the socket and the writing
        of each request."""
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.buffer = b""
        self.next_rid = 1
        self.arrived = collections.deque()  # what call() read besides its reply, in order

    def close(self):
        self.sock.close()

    def send(self, op, **fields):
        """Sends one request and returns its rid; its reply comes from receive().

        Raises OrdoError("frame_too_large") when ordod refused the frame as too large (it
        then closes the connection), OSError when the connection failed otherwise.
        """
        rid = self.next_rid
        self.next_rid += 1
        payload = msgpack.packb({"op": op, "rid": rid, **fields}, use_bin_type=True)
        try:
            self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        except OSError as send_error:
            self._raise_pending_reply(send_error)
        return rid

    def _raise_pending_reply(self, send_error):
        """After a failed send: ordod may have answered frame_too_large and closed before
        the client had written the whole frame (a reset or a broken pipe), so its reply can
        still be read. Raises it as OrdoError if it is there, else send_error. Anything
        read before it is queued for receive()."""
        try:
            while True:
                message = self._read_message()
                if _is_frame_too_large(message):
                    raise _error(message) from send_error
                self.arrived.append(message)
        except OSError:
            pass
        raise send_error

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
        """The next message, in arrival order, those call() read meanwhile first: a reply
        map (error replies included, as maps: receive() never raises OrdoError) or a push
        map ({"push": "order", "order": ...})."""
        if self.arrived:
            return self.arrived.popleft()
        return self._read_message()

    def call(self, op, **fields):
        """Sends one request and returns its successful reply, or raises OrdoError.

        Replies to other rids (pipelined send()s, rid-0 errors) and pushes read meanwhile
        are kept for receive(). A frame_too_large reply is raised: ordod refused the frame
        being sent, or one before it, and closes the connection.
        """
        rid = self.send(op, **fields)
        while True:
            message = self._read_message()
            if "push" not in message and message.get("rid") == rid:
                break
            if _is_frame_too_large(message):
                raise _error(message)
            self.arrived.append(message)
        if not message["ok"]:
            raise _error(message)
        return message

    def hello(self, token):
        return self.call("hello", token=token)
