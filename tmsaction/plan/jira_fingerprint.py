"""Fingerprints: the stable key that ties a test to its Jira defect across runs. Pure; no I/O.

A defect carries its fingerprint as a label, `tms-<12 hex digits>`, the SHA-1 of what identifies
the test (labels, unlike issue properties, are searchable with JQL; research/jira-api.md §1.11):

- a test mapped to TestRail cases by id is that set of cases (`case:105` or `case:105,106`), so
  renaming the test, or running it in another repository, keeps its defect;
- any other test is its repository and identity (suite path, class, name), with a trailing
  parameter part (`test_total[eur]`) removed when `testrail.names.strip_parameters` is on, so all
  parameter variants of one test share one defect, as they share one TestRail case.

A defect filed by case also carries the identity label (`alias`), and a test looks for both, so a
test that gains a case id later still finds the defect it had before.

Two more labels are fixed: `scope_label(repository)` is on every defect a repository files (the
one search for open defects whose tests now pass uses it), and the umbrella issue that collects
failures over `max_new` has a fingerprint per repository and workflow.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tmsaction.mapping.model import TestMapping
from tmsaction.model import TestResult

PREFIX = "tms-"
HASH_DIGITS = 12  # 48 bits: a collision needs ~16 million distinct tests in one project
_TRAILING_PARAMETERS = re.compile(r"\s*\[[^\[\]]*\]\s*$")  # as mapping/names.py strips them
_SLUG = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The label a test's defect carries, and what it was computed from (for people)."""

    label: str
    basis: str  # "TestRail case C105", "acme/shop: CartTest › adds item"
    alias: str | None = None  # the identity label, for a fingerprint by case

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, self.alias) if self.alias else (self.label,)


def digest_label(text: str) -> str:
    """`tms-` and the first 12 hex digits of the SHA-1 of `text`."""
    return (
        PREFIX + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:HASH_DIGITS]
    )


def identity_fingerprint(
    result: TestResult, *, repository: str, strip_parameters: bool
) -> Fingerprint:
    name = result.name
    if strip_parameters and name.endswith("]"):
        name = _TRAILING_PARAMETERS.sub("", name) or name
    key = "\x1f".join(("test", repository, *result.suite, "\x1e", result.classname, name))
    owner = result.classname or (result.suite[-1] if result.suite else "")
    shown = f"{owner} › {name}" if owner else name
    return Fingerprint(digest_label(key), f"{repository or 'local'}: {shown}")


def case_ids(mapping: TestMapping) -> tuple[int, ...]:
    return tuple(sorted({case.case_id for case in mapping.cases if case.case_id is not None}))


def fingerprint_of(
    result: TestResult, mapping: TestMapping | None, *, repository: str, strip_parameters: bool
) -> Fingerprint:
    """The test's fingerprint: by TestRail case ids when it has them, else by identity."""
    identity = identity_fingerprint(
        result, repository=repository, strip_parameters=strip_parameters
    )
    ids = case_ids(mapping) if mapping is not None else ()
    if not ids:
        return identity
    basis = "TestRail case" + ("s " if len(ids) > 1 else " ") + ", ".join(f"C{i}" for i in ids)
    label = digest_label("case:" + ",".join(str(i) for i in ids))
    return Fingerprint(label, basis, identity.label)


def umbrella_fingerprint(repository: str, workflow: str) -> Fingerprint:
    """One umbrella issue per repository and workflow: reruns and later runs find it again."""
    label = digest_label("\x1f".join(("umbrella", repository, workflow)))
    return Fingerprint(label, f"umbrella of {repository or 'local'} {workflow or 'runs'}".strip())


def scope_label(repository: str) -> str:
    """`tmsaction-acme.shop`: on every defect this repository files. Owner names hold no `.`
    (GitHub allows letters, digits and single hyphens), so the owner/name split stays readable
    and unique; outside Actions without GITHUB_REPOSITORY it is `tmsaction-local`."""
    owner, _, name = repository.lower().partition("/")
    slug = ".".join(_SLUG.sub("-", part) for part in (owner, name) if part)
    return f"tmsaction-{slug or 'local'}"[:255]
