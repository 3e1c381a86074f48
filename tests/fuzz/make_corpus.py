#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/TARGET/): every request of
docs/PROTOCOL.md as a payload, the same framed for the splitter, and whole lifecycles as sequences of
frames for decide. Run it again after the protocol changes; the files are committed."""
import msgpack, os, struct

here = os.path.dirname(os.path.abspath(__file__))
lines = [{"sku": "A", "qty": 2, "price": 10000}, {"sku": "B", "qty": 1, "price": 4500}]
oid = "01JC0000000000000000000000" + "X1"
requests = [
    {"op": "hello", "rid": 1, "token": "customer.alice.1764000000.abc"},
    {"op": "resume", "rid": 2, "session": "ab" * 16},
    {"op": "ping", "rid": 3},
    {"op": "place", "rid": 4, "idem": "k-1", "lines": lines},
    {"op": "get", "rid": 5, "order": oid},
    {"op": "list", "rid": 6, "limit": 20, "before": oid},
    {"op": "cancel", "rid": 7, "order": oid, "idem": "k-2", "lines": [{"sku": "A", "qty": 1}]},
    {"op": "cancel", "rid": 8, "order": oid, "idem": "k-3"},
    {"op": "ship", "rid": 9, "order": oid, "tracking": "TRK-1"},
    {"op": "deliver", "rid": 10, "order": oid},
    {"op": "return", "rid": 11, "order": oid, "idem": "k-4", "lines": [{"sku": "B", "qty": 1}]},
    {"op": "refund", "rid": 12, "order": oid},
    {"op": "membership", "rid": 13, "member": True},
    {"op": "subscribe", "rid": 14},
]
payloads = {r["op"] + "-" + str(r["rid"]): msgpack.packb(r) for r in requests}

def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def frame(p):
    return struct.pack(">I", len(p)) + p

for name, p in payloads.items():
    write("request_decoder", name, p)
    write("frame_splitter", name, bytes([64, 7]) + frame(p) + frame(p))
write("frame_splitter", "too-large", bytes([1, 3]) + struct.pack(">I", 1 << 30) + b"xyz")
write("frame_splitter", "empty-frame", bytes([64, 1]) + struct.pack(">I", 0) + frame(payloads["ping-3"]))

def step(payload, outcome, hours):
    # 2-byte length, engine outcome (0 authorize, 1 decline, 2 expire, 3 none), hours/member
    return struct.pack(">H", len(payload)) + bytes([outcome, hours]) + payload

flows = {
    "paid-shipped-returned-refunded": [("place-4", 0, 0), ("ship-9", 3, 1), ("deliver-10", 3, 2),
                                      ("return-11", 3, 24), ("refund-12", 3, 1)],
    "partial-cancel-then-ship": [("place-4", 0, 1), ("cancel-7", 3, 0), ("ship-9", 3, 0)],
    "declined": [("place-4", 1, 0), ("cancel-8", 3, 0)],
    "timed-out": [("place-4", 2, 0), ("ship-9", 3, 0)],
    "late-return": [("place-4", 0, 0), ("ship-9", 3, 0), ("deliver-10", 3, 0),
                    ("return-11", 3, 250), ("return-11", 3, 250), ("return-11", 3, 250)],
}
for name, steps in flows.items():
    write("decide", name, b"".join(step(payloads[p], o, h) for p, o, h in steps))
