"""Fingerprints: stable per test, by TestRail case when mapped, parameters handled per config."""

from __future__ import annotations

from tmsaction.mapping.model import CaseRef, TestMapping
from tmsaction.model import Outcome, TestResult
from tmsaction.plan.jira_fingerprint import (
    digest_label,
    fingerprint_of,
    scope_label,
    umbrella_fingerprint,
)


def result(name: str = "adds_item[eur]", classname: str = "tests.test_cart") -> TestResult:
    return TestResult(("pytest",), classname, name, Outcome.FAILED)


def test_a_test_without_case_ids_is_known_by_repository_and_identity() -> None:
    first = fingerprint_of(result(), TestMapping(), repository="acme/shop", strip_parameters=False)
    again = fingerprint_of(result(), None, repository="acme/shop", strip_parameters=False)
    assert first == again
    assert first.label.startswith("tms-")
    assert len(first.label) == 16
    assert first.basis == "acme/shop: tests.test_cart › adds_item[eur]"
    assert first.alias is None
    other_repo = fingerprint_of(result(), None, repository="acme/web", strip_parameters=False)
    other_test = fingerprint_of(
        result("adds_item[usd]"), None, repository="acme/shop", strip_parameters=False
    )
    assert len({first.label, other_repo.label, other_test.label}) == 3


def test_parameter_variants_share_one_fingerprint_when_parameters_are_stripped() -> None:
    eur = fingerprint_of(result("adds_item[eur]"), None, repository="r", strip_parameters=True)
    usd = fingerprint_of(result("adds_item[usd]"), None, repository="r", strip_parameters=True)
    plain = fingerprint_of(result("adds_item"), None, repository="r", strip_parameters=True)
    assert eur.label == usd.label == plain.label
    assert eur.basis == "r: tests.test_cart › adds_item"


def test_a_test_mapped_to_cases_is_known_by_its_cases_with_its_identity_as_alias() -> None:
    mapping = TestMapping(cases=(CaseRef(106), CaseRef(105), CaseRef(None, ("Cart",), "x")))
    by_case = fingerprint_of(result(), mapping, repository="acme/shop", strip_parameters=False)
    renamed = fingerprint_of(
        result("renamed", "tests.other"), mapping, repository="acme/web", strip_parameters=False
    )
    assert by_case.label == renamed.label == digest_label("case:105,106")
    assert by_case.basis == "TestRail cases C105, C106"
    identity = fingerprint_of(result(), None, repository="acme/shop", strip_parameters=False)
    assert by_case.alias == identity.label
    assert by_case.labels == (by_case.label, identity.label)


def test_scope_and_umbrella_labels() -> None:
    assert scope_label("Acme-Corp/shop_web.v2") == "tmsaction-acme-corp.shop_web.v2"
    assert scope_label("") == "tmsaction-local"
    assert (
        umbrella_fingerprint("acme/shop", "CI").label
        != umbrella_fingerprint("acme/shop", "Nightly").label
    )
    assert umbrella_fingerprint("acme/shop", "CI").basis == "umbrella of acme/shop CI"


def test_the_queries_quote_every_value_so_nothing_can_add_a_clause() -> None:
    from tmsaction.clients.jql import quote
    from tmsaction.sinks.jira_read import open_defects_jql

    hostile = 'SHOP" OR project = "OPS'
    jql = open_defects_jql(hostile, scope_label('acme/shop" OR labels = "x'))
    assert jql == (
        f"project = {quote(hostile)} AND labels = "
        '"tmsaction-acme.shop-or-labels-x" AND statusCategory != Done'
    )
    assert 'project = "SHOP\\" OR project = \\"OPS"' in jql
