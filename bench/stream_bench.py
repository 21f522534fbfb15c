"""Benchmark of the local core's stream manager (not a test): `python bench/stream_bench.py`.

1 KB messages on a File stream, each figure against a floor measured in the same run:

- appends/s, flush_on_write off and on. The floor is one Python process appending the same
  record bytes (header and payload, as the store writes them) to a file with ``os.write``, plus
  ``os.fdatasync`` per message when flush_on_write is on. Measured are the store alone
  (``Stream.append`` in this process), the protocol over TCP against the server in a process
  of its own (a plain socket client, one request at a time and 100 in flight: the server's own
  cost) and the whole path: the real ``stream_manager`` SDK's ``append_message``, one at a time.
- read latency of one message at a position: the floor is ``os.pread`` of that record from the
  segment file; measured is the SDK's ``read_messages`` of one message at that position.
- the server's resident memory with ``--size-mb`` of stream data on disk (1 GB by default): at
  start, and after a client read every message back, against a server with no streams.

Rounds alternate floor and measurement; each ratio is against the floor of its own round, and
the median and range over the rounds are printed.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cbor2

from gglift.runtime.streams import framing
from gglift.runtime.streams.messages import StreamDefinition
from gglift.runtime.streams.store import Store, encode_record, now_ms

PAYLOAD = os.urandom(1024)
TOKEN = "bench-token"



class Server:
    """The stream manager server in a process of its own, as it runs inside the core."""

    def __init__(self, folder: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "gglift.runtime.streams", str(folder)], stdout=subprocess.PIPE,
                                        text=True, env=dict(os.environ, AWS_CONTAINER_AUTHORIZATION_TOKEN=TOKEN))
        self.port = int(self.process.stdout.readline())

    def rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def client(port: int):
    os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = TOKEN
    from stream_manager import StreamManagerClient

    return StreamManagerClient(port=port)


def definition(name: str, flush: bool) -> dict:
    return {"name": name, "strategyOnFull": 0, "persistence": 0, "flushOnWrite": flush, "maxSize": 1 << 62}


def floor_appends(folder: Path, n: int, flush: bool) -> float:
    path = folder / f"floor-{time.monotonic_ns()}.seg"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    start = time.perf_counter()
    for seq in range(n):
        os.write(fd, encode_record(seq, now_ms(), PAYLOAD))
        if flush:
            os.fdatasync(fd)
    elapsed = time.perf_counter() - start
    os.close(fd)
    path.unlink()
    return n / elapsed


def store_appends(folder: Path, n: int, flush: bool) -> float:
    store = Store(folder / f"store-{time.monotonic_ns()}")
    stream = store.create(StreamDefinition.parse(definition("s", flush)))
    start = time.perf_counter()
    for _ in range(n):
        stream.append(PAYLOAD)
    elapsed = time.perf_counter() - start
    store.delete("s")
    return n / elapsed


def sdk_appends(sm, name: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        sm.append_message(name, PAYLOAD)
    return n / (time.perf_counter() - start)


def raw_appends(port: int, name: str, n: int, window: int) -> float:
    """Appends over a plain socket speaking the protocol, ``window`` requests in flight: the
    server's own cost, without the SDK client's threads and event loop."""
    window = min(window, n)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(bytes((1,)) + framing.encode(1, cbor2.dumps(
            {"requestId": "c", "protocolVersion": "1.1.0", "authToken": TOKEN})))
        reader = sock.makefile("rb")
        reader.read(1)
        _read_frame(reader)
        requests = [framing.encode(4, cbor2.dumps({"requestId": str(i), "name": name, "payload": PAYLOAD}))
                    for i in range(window)]
        start = time.perf_counter()
        for _ in range(n // window):
            sock.sendall(b"".join(requests))
            for _ in range(window):
                _read_frame(reader)
        return (n // window) * window / (time.perf_counter() - start)


def _read_frame(reader) -> bytes:
    length = int.from_bytes(reader.read(4), "big", signed=True)
    return reader.read(length)


def ratios(rounds: list[tuple[float, float]]) -> str:
    """``floor / measured`` per round (a rate: higher is better), as median and range."""
    values = [f / m for f, m in rounds]
    return f"{statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f})"


def rates(rounds: list[tuple[float, float]], index: int) -> str:
    values = [r[index] for r in rounds]
    return f"{statistics.median(values):,.0f}/s ({min(values):,.0f}-{max(values):,.0f})"


def bench_appends(folder: Path, server: Server, rounds: int, n_off: int, n_on: int) -> None:
    from stream_manager import MessageStreamDefinition, StrategyOnFull

    sm = client(server.port)
    for flush, n in ((False, n_off), (True, n_on)):
        name = f"appends-{int(flush)}"
        sm.create_message_stream(MessageStreamDefinition(name=name, strategy_on_full=StrategyOnFull.OverwriteOldestData,
                                                         flush_on_write=flush, max_size=1 << 40))
        measured = {"store alone": [], "protocol over TCP, one by one": [], "protocol over TCP, 100 in flight": [],
                    "SDK over TCP, one by one": []}
        for _ in range(rounds):
            for label, run in (("store alone", lambda: store_appends(folder, n, flush)),
                               ("protocol over TCP, one by one", lambda: raw_appends(server.port, name, n, 1)),
                               ("protocol over TCP, 100 in flight", lambda: raw_appends(server.port, name, n, 100)),
                               ("SDK over TCP, one by one", lambda: sdk_appends(sm, name, n))):
                floor = floor_appends(folder, n, flush)
                measured[label].append((floor, run()))
        every = [r for rounds_ in measured.values() for r in rounds_]
        print(f"appends, flush_on_write {'on' if flush else 'off'}: floor {rates(every, 0)}")
        for label, got in measured.items():
            print(f"  {label:<34} {rates(got, 1):<28} ratio to floor {ratios(got)}")
    sm.close()


def bench_reads(folder: Path, server: Server, rounds: int, n: int) -> None:
    from stream_manager import MessageStreamDefinition, ReadMessagesOptions, StrategyOnFull

    sm = client(server.port)
    sm.create_message_stream(MessageStreamDefinition(name="reads", strategy_on_full=StrategyOnFull.OverwriteOldestData,
                                                     max_size=1 << 40))
    for _ in range(n):
        sm.append_message("reads", PAYLOAD)
    segment = next((folder / "stream-reads").glob("*.seg"))
    record = len(encode_record(0, 0, PAYLOAD))
    positions = [(i * 7919) % n for i in range(n)]
    floor_all, sdk_all = [], []
    for _ in range(rounds):
        fd = os.open(segment, os.O_RDONLY)
        floor = []
        for seq in positions:
            start = time.perf_counter()
            os.pread(fd, record, seq * record)
            floor.append(time.perf_counter() - start)
        os.close(fd)
        measured = []
        for seq in positions:
            start = time.perf_counter()
            sm.read_messages("reads", ReadMessagesOptions(desired_start_sequence_number=seq, max_message_count=1))
            measured.append(time.perf_counter() - start)
        floor_all.append(statistics.median(floor))
        sdk_all.append(statistics.median(measured))
    sm.close()
    print(f"read one message at a position (p50): floor {statistics.median(floor_all) * 1e6:.1f} us, "
          f"SDK read_messages {statistics.median(sdk_all) * 1e6:.0f} us "
          f"({min(sdk_all) * 1e6:.0f}-{max(sdk_all) * 1e6:.0f})")


def bench_memory(folder: Path, size_mb: int) -> None:
    from stream_manager import ReadMessagesOptions

    empty = Server(folder / "empty")
    time.sleep(0.5)
    baseline = empty.rss_mb()
    empty.close()

    data = folder / "big"
    store = Store(data)
    stream = store.create(StreamDefinition.parse(definition("big", False)))
    count = size_mb * 1024
    for _ in range(count):
        stream.append(PAYLOAD)
    store.close()
    on_disk = sum(p.stat().st_size for p in (data / "stream-big").glob("*.seg")) / (1 << 20)
    server = Server(data)
    time.sleep(0.5)
    at_start = server.rss_mb()
    sm = client(server.port)
    seq, peak = 0, at_start
    while seq < count:
        batch = sm.read_messages("big", ReadMessagesOptions(desired_start_sequence_number=seq, max_message_count=1000))
        seq = batch[-1].sequence_number + 1
        peak = max(peak, server.rss_mb())
    after = server.rss_mb()
    sm.close()
    server.close()
    print(f"server memory with {on_disk:,.0f} MB of stream data on disk ({count:,} messages): "
          f"{at_start:.1f} MB at start, {after:.1f} MB after reading all of it back (peak {peak:.1f} MB); "
          f"with no streams {baseline:.1f} MB: ratio {after / baseline:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("-n", type=int, default=5000, help="appends per round with flush_on_write off")
    parser.add_argument("--flushed", type=int, default=500, help="appends per round with flush_on_write on")
    parser.add_argument("--reads", type=int, default=2000, help="messages in the stream the reads go to")
    parser.add_argument("--size-mb", type=int, default=1024, help="stream data on disk for the memory figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gglift-stream-bench-") as tmp:
        folder = Path(tmp)
        server = Server(folder / "streams")
        try:
            bench_appends(folder, server, args.rounds, args.n, args.flushed)
            bench_reads(folder / "streams", server, args.rounds, args.reads)
        finally:
            server.close()
        bench_memory(folder, args.size_mb)


if __name__ == "__main__":
    main()
