"""Test file paths from reports -> checkout-relative paths, for every CI layout we know."""

from __future__ import annotations

import pytest
from tmsaction.reports.locations import EmbeddedAttachments, checkout_path, data_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/home/runner/work/shop/shop/src/cart.test.js", "src/cart.test.js"),
        ("/Users/runner/work/shop/shop/test/a_test.dart", "test/a_test.dart"),
        ("D:\\a\\shop\\shop\\tests\\cart.spec.ts", "tests/cart.spec.ts"),
        ("file:///D:/a/shop/shop/test/x.dart", "test/x.dart"),
        ("file:///home/runner/work/shop/shop/test/x%20y.dart", "test/x y.dart"),
        ("/opt/actions-runner/_work/shop/shop/spec/a_spec.rb", "spec/a_spec.rb"),
        ("/github/workspace/e2e/login.spec.ts", "e2e/login.spec.ts"),
        ("/builds/acme/shop/src/a.test.js", "src/a.test.js"),
        ("/home/circleci/project/src/a.test.js", "src/a.test.js"),
        ("/var/lib/jenkins/workspace/shop-main/src/a.test.js", "src/a.test.js"),
        ("/home/vsts/work/1/s/src/a.test.js", "src/a.test.js"),
        ("/opt/atlassian/pipelines/agent/build/src/a.test.js", "src/a.test.js"),
        (
            "file:src/test/resources/features/login.feature",
            "src/test/resources/features/login.feature",
        ),
        ("classpath:features/login.feature", "features/login.feature"),
        ("./spec/cart_spec.rb", "spec/cart_spec.rb"),
        ("features/login.feature", "features/login.feature"),
        # Not a known checkout: kept as written.
        ("/srv/app/src/a.test.js", "/srv/app/src/a.test.js"),
        # The checkout root itself is not a test file path; nothing is cut.
        ("/home/runner/work/shop/shop/", "/home/runner/work/shop/shop/"),
        ("", None),
        (None, None),
    ],
)
def test_checkout_prefixes_are_cut(raw: str | None, expected: str | None) -> None:
    assert checkout_path(raw) == expected


def test_inline_attachments_are_bounded_each_and_per_report() -> None:
    assert data_url(None, "AA") == "data:application/octet-stream;base64,AA"
    embedded = EmbeddedAttachments(limit=4, budget=6)
    assert embedded.keep("image/png", "iVBO") == "data:image/png;base64,iVBO"
    assert embedded.keep("image/png", "iVBORw") is None  # over the limit for one attachment
    assert embedded.keep("text/plain", "AA") == "data:text/plain;base64,AA"
    assert embedded.keep("text/plain", "AA") is None  # over the budget for the report
    assert embedded.dropped == 2
    assert embedded.warning() is not None
    assert EmbeddedAttachments().warning() is None
