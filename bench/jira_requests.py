"""Jira requests per failing test through `JiraClient` against the emulator on loopback.

Cases (each in its own process, timed by bench/measure.py):
- lookup-per-test: one fingerprint search per failing test, the naive baseline;
- lookup-batched: `find_by_labels`, 100 fingerprints per search;
- new-failure: the writes a first failure costs (create + story link + run link), after one
  create-metadata check per run;
- recurrence: the writes a repeat failure costs (one comment + refreshing the run link).

Run: .venv/bin/python bench/jira_requests.py [--failures 300]
"""

from __future__ import annotations

import argparse
import json

from measure import measure, python  # bench/ is on sys.path when this script runs

CASES = ("lookup-per-test", "lookup-batched", "new-failure", "recurrence")


def run_case(case: str, failures: int) -> dict[str, float]:
    from tmsaction.clients.jira import JiraClient
    from tmsaction.clients.jira_text import CodeBlock, Heading, document, paragraph
    from tmsaction.sandbox.jira.seed import seed_demo
    from tmsaction.sandbox.jira.world import Issue
    from tmsaction.sandbox.server import SandboxServer

    emulator = seed_demo(search_delay=0)
    world = emulator.world
    project = world.projects[0]
    labels = [f"tms-{index:012x}" for index in range(failures)]
    existing = labels[: failures // 2] if case.startswith("lookup") else labels
    if case != "new-failure":
        for label in existing:  # defects filed by earlier runs, written straight into the world
            project.counter += 1
            issue = Issue(
                id=world.new_id("next_id"),
                key=f"SHOP-{project.counter}",
                project_id=project.id,
                issue_type_id="10004",
                status_id=world.workflow.initial_status,
                reporter=world.users[0].account_id,
                created=1.0,
                updated=1.0,
                fields={"summary": f"{label} failed", "labels": [label, "tmsaction"]},
            )
            world.issues[issue.id] = issue
            emulator.index.reindex(world, issue, immediately=True)
    with SandboxServer(emulator) as server:
        client = JiraClient.connect(
            server.url, "demo@example.com", "demo-token", sleep=lambda _: None
        )
        before = len(emulator.requests)
        if case == "lookup-per-test":
            found = sum(len(client.find_by_labels("SHOP", [label])) for label in labels)
        elif case == "lookup-batched":
            found = len(client.find_by_labels("SHOP", labels))
        elif case == "new-failure":
            client.create_meta("SHOP", "Bug")
            story = client.resolve_link_type("relates to")
            for index, label in enumerate(labels):
                body = document(
                    Heading("Failure"),
                    paragraph(f"test_{index} failed"),
                    CodeBlock(f"AssertionError at line {index}"),
                )
                created = client.create_issue(
                    {
                        "project": {"key": "SHOP"},
                        "issuetype": {"name": "Bug"},
                        "summary": f"test_{index} failed",
                        "description": client.render(body),
                        "labels": [label, "tmsaction"],
                    },
                    fingerprint_label=label,
                )
                client.link(created.key, "SHOP-3", story, existing=())
                client.remote_link(
                    created.key, global_id="gha:run:1", url="https://ci/run/1", title="Run 1"
                )
            found = failures
        else:
            issues = client.find_by_labels("SHOP", labels)
            for label in labels:
                key = issues[label][0].key
                client.add_comment(
                    key, document(paragraph("Failed again in run 2")), marker="run 2"
                )
                client.remote_link(
                    key, global_id="gha:run:2", url="https://ci/run/2", title="Run 2"
                )
            found = len(issues)
        sent = len(emulator.requests) - before
        searches = sum(1 for _, route in emulator.requests[before:] if route.startswith("/search"))
    return {"requests": sent, "searches": searches, "found": found}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--failures", type=int, default=300)
    parser.add_argument("--case", choices=CASES)
    options = parser.parse_args()
    if options.case:
        print(json.dumps(run_case(options.case, options.failures)))
        return
    n = options.failures
    print(f"Jira requests for {n} failing tests (emulator on loopback, Cloud flavour)")
    print(f"{'case':<44} {'wall':>10} {'ratio':>6} {'peak':>11}   requests  per test  searches")
    baseline = None
    for case in CASES:
        result = measure(case, python(__file__, "--case", case, "--failures", str(n)))
        figures = json.loads(result.stdout)
        if case == "lookup-per-test":
            baseline = result
        row = result.row(baseline if case.startswith("lookup") else None)
        per_test = figures["requests"] / n
        print(f"{row}   {figures['requests']:8d}  {per_test:8.3f}  {figures['searches']:8d}")


if __name__ == "__main__":
    main()
