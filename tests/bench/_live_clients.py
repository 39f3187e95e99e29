"""One process of the live fan-out benchmark's participants (tests/bench/live_fanout.py):
`--count` WebSocket clients on one channel, each noting when every benchmark token
(BENCH<n>X, in an idea's text) first reaches it, and the newest sequence number it has
(each message's leading `<!--n-->`), as a phone's page does.

    python tests/bench/_live_clients.py WS_URL --count 1000 [--origin URL]
    python tests/bench/_live_clients.py --urls FILE [--origin URL]

With `--urls`, one client per line of FILE, each its own joined participant's address
(its page's ws-connect: the channel, the participant's ticket, the number it starts after).
`--origin`: the Origin header a browser sends with the page's address. `--deflate`: offer
per-message compression, as browsers do (the bytes counted are then those on the wire).

Prints "ready <connected> <failed>" once every client has tried to connect, then obeys
commands on its standard input, one per line:
    drop       cut every socket at once (no closing handshake), as a network failing
    reconnect  connect every client again, each after the last number it had
    bytes      print "bytes <n>": the message bytes every client received so far
    report {"acks": {token: acknowledged at}, "storm_tokens": [...], "storm_at": t}
             print one JSON line with what arrived, and exit: a histogram of the delays from
             each token's acknowledgement to its arrival at each client (1 ms buckets), the
             (token, client) pairs that never arrived, and for each client back from the
             storm, the seconds from the storm until it had reconnected and received every
             storm token
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import sys
import time
import zlib
from urllib.parse import urlsplit

TOKEN = re.compile(rb"BENCH(\d+)X")
SEQ = re.compile(rb"^<!--(\d+)")
CONNECT_TRIES = 5
ORIGIN: list[str] = []  # the browser's Origin header, when given
DEFLATE: list[bool] = []  # offer permessage-deflate, as a browser does


class Socket(asyncio.Protocol):
    """A minimal WebSocket client (RFC 6455) that only reads: the handshake, then the
    server's frames, unmasked; a ping is answered. Written for the benchmark so that 1,000
    clients in one process cost less than the server they measure."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.buffer = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.opened = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.message = bytearray()  # a message split over continuation frames
        self.inflate = None  # permessage-deflate's context, when the server took the offer
        self.compressed = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        parts = urlsplit(self.client.address())
        key = base64.b64encode(os.urandom(16)).decode()
        origin = f"Origin: {ORIGIN[0]}\r\n" if ORIGIN else ""
        if DEFLATE:
            origin += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        request = (
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"{origin}Sec-WebSocket-Version: 13\r\n\r\n"
        )
        transport.write(request.encode())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end])
            status = head.split(b" ", 2)[1]
            if b"permessage-deflate" in head.lower():  # the server took the offer
                self.inflate = zlib.decompressobj(-15)
            del self.buffer[: end + 4]
            if status != b"101":
                self.transport.close()
                return
            self.upgraded = True
            if not self.opened.done():
                self.opened.set_result(True)
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            final = buffer[0] & 0x80
            if opcode in (1, 2):
                self.compressed = bool(buffer[0] & 0x40)  # RSV1: this message is deflated
            del buffer[: start + length]
            if opcode in (0, 1, 2):
                self.message += payload
                if final:
                    wire = len(self.message)
                    data = bytes(self.message)
                    if self.compressed and self.inflate is not None:
                        data = self.inflate.decompress(data + b"\x00\x00\xff\xff")
                    self.client.received(data, wire)
                    self.message.clear()
            elif opcode == 9:  # ping: a masked pong with the same payload
                self.transport.write(_frame(0xA, payload))
            elif opcode == 8:
                self.transport.close()
                return

    def connection_lost(self, _exc) -> None:
        if not self.opened.done():
            self.opened.set_result(False)
        if not self.closed.done():
            self.closed.set_result(None)


def _frame(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


class Client:
    def __init__(self, url: str) -> None:
        found = re.search(r"[?&]after=(\d+)", url)  # the page's own starting number
        self.url = re.sub(r"&after=\d+", "", url)
        self.seq: int | None = int(found.group(1)) if found else None
        self.bytes = 0
        self.arrivals: dict[int, float] = {}
        self.messages = 0
        self.failed = False
        self.reconnected_at: float | None = None
        self.socket: Socket | None = None

    def address(self) -> str:
        return self.url + (f"&after={self.seq}" if self.seq is not None else "")

    def received(self, data: bytes, wire: int) -> None:
        now = time.time()
        self.messages += 1
        self.bytes += wire  # what the phone's network carried
        for found in TOKEN.finditer(data):
            self.arrivals.setdefault(int(found.group(1)), now)
        seqs = SEQ.findall(data)
        if seqs:
            self.seq = int(seqs[-1])

    async def connect(self) -> bool:
        parts = urlsplit(self.url)
        loop = asyncio.get_running_loop()
        for attempt in range(CONNECT_TRIES):
            try:
                _transport, socket = await asyncio.wait_for(
                    loop.create_connection(lambda: Socket(self), parts.hostname, parts.port), 20
                )
                if await asyncio.wait_for(socket.opened, 20):
                    self.socket = socket
                    return True
            except (OSError, TimeoutError):
                pass
            await asyncio.sleep(0.2 * (attempt + 1))
        self.failed = True
        return False

    def start(self) -> None:
        return None  # the protocol reads as data arrives

    def drop(self) -> None:
        """Gone like a phone losing its network: the connection cut, no goodbye."""
        if self.socket is not None and self.socket.transport is not None:
            self.socket.transport.abort()

    async def reconnect(self) -> None:
        """Back, asking for what came after the last number it had."""
        if await self.connect():
            self.reconnected_at = time.time()


async def run(urls: list[str]) -> None:
    clients = [Client(url) for url in urls]
    count = len(clients)
    for start in range(0, count, 100):  # a hall arriving: in waves, not all in one tick
        batch = clients[start : start + 100]
        await asyncio.gather(*(client.connect() for client in batch))
        for client in batch:
            if not client.failed:
                client.start()
    connected = sum(not client.failed for client in clients)
    print(f"ready {connected} {count - connected}", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if line == "drop":
            for client in clients:
                client.drop()
            print(f"dropped {sum(not client.failed for client in clients)}", flush=True)
        elif line == "reconnect":
            failed_before = sum(client.failed for client in clients)
            await asyncio.gather(*(client.reconnect() for client in clients if not client.failed))
            back = sum(client.reconnected_at is not None for client in clients)
            print(f"back {back} {sum(c.failed for c in clients) - failed_before}", flush=True)
        elif line == "bytes":
            print(f"bytes {sum(client.bytes for client in clients)}", flush=True)
        elif line.startswith("report") or not line:
            order = json.loads(line[len("report") :] or "{}")
            break
    print(json.dumps(summary(clients, connected, order)), flush=True)
    for client in clients:
        if client.socket is not None:
            client.socket.transport.abort()


def summary(clients: list[Client], connected: int, order: dict) -> dict:
    acks = {int(token): at for token, at in order.get("acks", {}).items()}
    storm_tokens = [int(token) for token in order.get("storm_tokens", [])]
    storm_at = order.get("storm_at")
    histogram: dict[int, int] = {}
    missing = 0
    storm_done: list[float | None] = []
    for client in clients:
        if client.failed:
            continue
        for token, acked in acks.items():
            arrived = client.arrivals.get(token)
            if arrived is None:
                missing += 1
                continue
            bucket = int(max(0.0, arrived - acked) * 1000)
            histogram[bucket] = histogram.get(bucket, 0) + 1
        if storm_at is not None and client.reconnected_at is not None:
            times = [client.arrivals.get(token) for token in storm_tokens]
            if all(t is not None for t in times):
                storm_done.append(max([client.reconnected_at, *times]) - storm_at)
            else:
                storm_done.append(None)
    per_token: dict[int, list[float]] = {}
    for client in clients:
        if client.failed:
            continue
        for token, acked in acks.items():
            arrived = client.arrivals.get(token)
            if arrived is not None:
                per_token.setdefault(token, []).append(arrived - acked)
    return {
        "slowest_tokens": sorted(
            ((max(delays), token) for token, delays in per_token.items()), reverse=True
        )[:8],
        "connected": connected,
        "failed": sum(client.failed for client in clients),
        "messages": sum(client.messages for client in clients),
        "bytes": sum(client.bytes for client in clients),
        "histogram": histogram,
        "missing": missing,
        "storm_done": storm_done,
        "storm_reconnected": [
            client.reconnected_at - storm_at
            for client in clients
            if storm_at is not None and client.reconnected_at is not None
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--urls", help="a file with one client's address per line")
    parser.add_argument("--origin", help="the Origin header to send")
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    args = parser.parse_args()
    if args.origin:
        ORIGIN.append(args.origin)
    if args.deflate:
        DEFLATE.append(True)
    if args.urls:
        with open(args.urls, encoding="utf-8") as listed:
            urls = [line.strip() for line in listed if line.strip()]
    else:
        urls = [args.url] * args.count
    try:
        import uvloop
    except ImportError:
        asyncio.run(run(urls))
    else:
        uvloop.run(run(urls))


if __name__ == "__main__":
    main()
