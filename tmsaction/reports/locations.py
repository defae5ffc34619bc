"""Where tests live, as reports write it -> stable, checkout-relative paths. Pure; no I/O.

JavaScript, Dart and Playwright reports carry absolute paths of the machine that ran the tests
(`/home/runner/work/shop/shop/src/cart.test.js`). Used as they are, the same test would get a
different identity on another runner, and annotations could not point into the repository. The
checkout prefixes of the common CI systems are therefore cut; any other path is kept as written
(with `/` separators and `file:`/`classpath:` schemes removed).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# Checkout roots, in the order tried. Each ends where the repository starts.
_CHECKOUT_ROOTS = re.compile(
    r"""^(?:
        /github/workspace/                              # Docker actions and container jobs
      | (?:/home|/Users)/runner/work/[^/]+/[^/]+/       # GitHub-hosted Linux and macOS runners
      | [A-Za-z]:/a/[^/]+/[^/]+/                        # GitHub-hosted Windows runners (D:\\a\\repo\\repo)
      | .*?/_work/[^/]+/[^/]+/                          # self-hosted GitHub runners (_work/repo/repo)
      | /builds/[^/]+/[^/]+/                            # GitLab (/builds/<group>/<project>/)
      | /home/circleci/(?:project|repo)/                # CircleCI
      | /home/travis/build/[^/]+/[^/]+/                 # Travis CI
      | (?:/home/vsts|[A-Za-z]:)/work/\d+/s/            # Azure Pipelines (Linux and Windows)
      | /opt/atlassian/pipelines/agent/build/           # Bitbucket Pipelines
      | .*?/jenkins/workspace/[^/]+/                    # Jenkins (/var/lib/jenkins/workspace/<job>/)
      | /var/lib/buildkite-agent/builds/[^/]+/[^/]+/[^/]+/  # Buildkite
    )""",
    re.X,
)
_SCHEME = re.compile(r"^(?:file://(?:localhost)?(?=/)|file:(?!//)|classpath:)")
_WINDOWS_DRIVE_URL = re.compile(r"^/[A-Za-z]:/")


def checkout_path(raw: str | None) -> str | None:
    """A test file path from a report, relative to the checkout when a CI checkout root is known."""
    if not raw:
        return None
    path = raw.strip()
    scheme = _SCHEME.match(path)
    if scheme:
        path = unquote(path[scheme.end() :])
        if _WINDOWS_DRIVE_URL.match(path):
            path = path[1:]  # file:///D:/a/repo -> D:/a/repo
    path = path.replace("\\", "/")
    root = _CHECKOUT_ROOTS.match(path)
    if root and root.end() < len(path):
        path = path[root.end() :]
    if path.startswith("./"):
        path = path[2:]
    return path or None


#: Embedded attachments larger than this (base64 characters) are not kept: a screenshot per step
#: would otherwise hold the whole report in memory twice. The report still has them.
EMBEDDED_LIMIT = 1 << 20


def data_url(content_type: str | None, base64_body: str) -> str | None:
    """An embedded attachment (Cucumber embeddings, Playwright bodies) as a `data:` URL, or None
    when it is larger than `EMBEDDED_LIMIT`."""
    if len(base64_body) > EMBEDDED_LIMIT:
        return None
    kind = (content_type or "application/octet-stream").strip() or "application/octet-stream"
    return f"data:{kind};base64,{base64_body}"
