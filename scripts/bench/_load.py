"""The ingest benchmark's load generator: run in processes of their own
(several, so the client is not what limits the figure), each keeping a few
keep-alive connections busy. Imports nothing of the hub: a spawned process
starts in a moment and holds no database connection."""
from __future__ import annotations

import http.client
import json
import random
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    port: int
    credentials: list[str]
    reads_per_request: int
    seconds: float
    connections: int
    hotlist: int
    hit_every: int
    images: str = ""  # the JSON members `"plate_image": "...", "vehicle_image": "..."`, made once


def hot_plate(n: int) -> str:
    return f"H{n:06d}"


def _body(work: Workload, rnd: random.Random, tag: str, counter: list[int], hot: list[str]) -> bytes:
    now = json.dumps(time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()))
    reads = []
    for _ in range(work.reads_per_request):
        counter[0] += 1
        n = counter[0]
        if work.hotlist and n % work.hit_every == 0:
            plate = hot_plate(rnd.randrange(work.hotlist))
            hot.append(plate)
        else:
            plate = f"N{n % 999_999:06d}"
        images = f", {work.images}" if work.images else ""
        reads.append(f'{{"read_id": "{tag}-{n}", "plate": "{plate}", "captured_at": {now}, '
                     f'"confidence": 0.95{images}}}')
    return ('{"reads": [' + ", ".join(reads) + "]}").encode()


def _connection_loop(work: Workload, tag: str, deadline: float, out: dict, lock: threading.Lock) -> None:
    rnd = random.Random(tag)
    connection = http.client.HTTPConnection("127.0.0.1", work.port, timeout=120)
    counter, accepted, requests, failures = [0], 0, 0, 0
    sent, acked, latencies = {}, {}, []
    while time.perf_counter() < deadline:
        hot: list[str] = []
        body = _body(work, rnd, tag, counter, hot)
        started, started_wall = time.perf_counter(), time.time()
        connection.request("POST", "/api/v1/reads", body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {rnd.choice(work.credentials)}"})
        response = connection.getresponse()
        payload = response.read()
        requests += 1
        latencies.append(time.perf_counter() - started)
        if response.status == 200:
            accepted += len(json.loads(payload)["accepted"])
            for plate in hot:
                sent.setdefault(plate, started_wall)
                acked.setdefault(plate, time.time())
        else:
            failures += 1
    connection.close()
    with lock:
        out["accepted"] += accepted
        out["requests"] += requests
        out["failures"] += failures
        out["latencies"] += latencies
        for plate, at in sent.items():
            out["sent"].setdefault(plate, at)
        for plate, at in acked.items():
            out["acked"].setdefault(plate, at)


def run(work: Workload, name: str, start_at: float) -> dict:
    """One process's share: `work.connections` connections posting until
    `work.seconds` after the wall-clock time `start_at` (so every process
    starts together)."""
    time.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    deadline = time.perf_counter() + work.seconds
    out = {"began": began, "accepted": 0, "requests": 0, "failures": 0, "latencies": [], "sent": {}, "acked": {}}
    lock = threading.Lock()
    threads = [threading.Thread(target=_connection_loop, args=(work, f"{name}c{n}", deadline, out, lock))
               for n in range(work.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out["ended"] = time.time()  # the last request's answer, which may come after the deadline
    return out
