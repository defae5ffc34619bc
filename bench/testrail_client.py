"""What `TestRailClient` costs over bare HTTP, against the TestRail emulator on loopback.

Cases (each in its own process, timed by bench/measure.py; the raw ones are the baselines):
- raw-read / client-read: every case of a 10,000-case suite, 250 per page (40 requests);
- raw-post / client-post: 10,000 results for those cases in batches of 250 (40 requests);
- budget: 400 reads under TestRail Cloud's 180-per-minute limit with the client's default budget,
  on a simulated clock: how many 429s, and how many simulated minutes the budget spent.

Run: .venv/bin/python bench/testrail_client.py [--cases 10000] [--latency 0.005]
"""

from __future__ import annotations

import argparse
import json
import threading

from measure import measure, python  # bench/ is on sys.path when this script runs

BATCH = 250
USER, KEY = "demo@example.com", "demo-key"


def _world(cases: int, latency: float) -> tuple[object, int]:
    from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo

    emulator = seed_demo(TestRailEmulator())
    emulator.latency = latency
    with emulator.lock:
        section = emulator.world.add_section(1, "Bench")
        for index in range(cases - 6):  # the demo suite holds six cases already
            emulator.world.add_case(section["id"], f"case {index}")
    return emulator, section["id"]


def run_case(case: str, cases: int, latency: float) -> dict[str, float]:
    import requests
    from tmsaction.clients.testrail import TestRailClient
    from tmsaction.sandbox.server import RateLimit, SandboxServer
    from tmsaction.sandbox.testrail import TestRailEmulator

    emulator, _ = _world(cases, latency)
    assert isinstance(emulator, TestRailEmulator)
    if case == "budget":
        clock = _Clock()
        emulator.rate_limit = RateLimit(180, 60.0, clock=clock.now)
    with SandboxServer(emulator) as server:
        base = server.url + "/index.php?/api/v2/"
        session = requests.Session()
        session.auth = (USER, KEY)
        case_ids = [c["id"] for c in emulator.cases(1)]
        run_id = 0
        if case.endswith("post"):
            run_id = emulator.world.create_run(
                1, 1, {"name": "bench"}, include_all=True, case_ids=[], created_by=1
            )["id"]
        before = len(emulator.requests)
        items = 0
        if case == "raw-read":
            offset = 0
            while True:
                page = session.get(
                    base + f"get_cases/1&suite_id=1&limit=250&offset={offset}"
                ).json()
                items += page["size"]
                if not page["_links"]["next"]:
                    break
                offset += page["size"]
        elif case == "client-read":
            items = len(TestRailClient(server.url, USER, KEY, per_minute=None).get_cases(1, 1))
        elif case == "raw-post":
            for start in range(0, len(case_ids), BATCH):
                batch = [{"case_id": c, "status_id": 1, "elapsed": "1s"}
                         for c in case_ids[start : start + BATCH]]  # fmt: skip
                answer = session.post(
                    base + f"add_results_for_cases/{run_id}", json={"results": batch}
                )
                items += len(answer.json())
        elif case == "client-post":
            client = TestRailClient(server.url, USER, KEY, per_minute=None)
            for start in range(0, len(case_ids), BATCH):
                batch = [{"case_id": c, "status_id": 1, "elapsed": "1s"}
                         for c in case_ids[start : start + BATCH]]  # fmt: skip
                items += len(client.add_results_for_cases(run_id, batch))
        elif case == "budget":
            client = TestRailClient(server.url, USER, KEY, sleep=clock.sleep, clock=clock.now)
            for _ in range(400):
                client.get_project(1)
            items = 400
            assert emulator.rate_limit is not None
            return {
                "requests": len(emulator.requests) - before,
                "items": items,
                "throttled": emulator.rate_limit.rejected,
                "simulated_minutes": round((clock.now() - 1_000.0) / 60, 2),
            }
        return {"requests": len(emulator.requests) - before, "items": items}


class _Clock:
    def __init__(self) -> None:
        self._now = 1_000.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(seconds, 1e-6)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.005, help="seconds added per request")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_case(options.child, options.cases, options.latency)))
        return
    print(
        f"TestRail client vs bare HTTP: {options.cases} cases, {options.latency * 1000:g} ms per request"
    )
    for baseline_case, case in (("raw-read", "client-read"), ("raw-post", "client-post")):
        rows = []
        for name in (baseline_case, case):
            argv = python(__file__, "--child", name, "--cases", str(options.cases),
                          "--latency", str(options.latency))  # fmt: skip
            rows.append(measure(name, argv))
        baseline = rows[0]
        for row in rows:
            figures = json.loads(row.stdout)
            print(
                f"{row.row(baseline)}  {figures['requests']:>4} requests  {figures['items']:>6} items"
            )
    budget = measure(
        "budget", python(__file__, "--child", "budget", "--cases", "100", "--latency", "0")
    )
    figures = json.loads(budget.stdout)
    print(
        f"budget: {figures['requests']} requests under a 180/min limit -> {figures['throttled']} x 429, "
        f"{figures['simulated_minutes']} simulated minutes"
    )


if __name__ == "__main__":
    main()
