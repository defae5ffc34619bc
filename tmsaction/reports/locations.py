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


#: Inline attachments (Cucumber embeddings, Playwright bodies) are kept as `data:` URLs up to this
#: size each and this much per report file (base64 characters): a screenshot per failing step
#: would otherwise hold megabytes per test in memory and in results_json.
EMBEDDED_LIMIT = 1 << 20
EMBEDDED_BUDGET = 16 << 20


def data_url(content_type: str | None, base64_body: str) -> str:
    """An inline attachment as a `data:` URL."""
    kind = (content_type or "application/octet-stream").strip() or "application/octet-stream"
    return f"data:{kind};base64,{base64_body}"


class EmbeddedAttachments:
    """The inline attachments of one report, kept within `EMBEDDED_LIMIT` and `EMBEDDED_BUDGET`."""

    def __init__(self, limit: int = EMBEDDED_LIMIT, budget: int = EMBEDDED_BUDGET) -> None:
        self._limit = limit
        self._remaining = budget
        self.dropped = 0

    def keep(self, content_type: str | None, base64_body: str) -> str | None:
        """The attachment as a `data:` URL, or None (counted) when it does not fit."""
        size = len(base64_body)
        if size > self._limit or size > self._remaining:
            self.dropped += 1
            return None
        self._remaining -= size
        return data_url(content_type, base64_body)

    def warning(self) -> str | None:
        """One sentence for the report's problems when attachments were left out."""
        if not self.dropped:
            return None
        return (
            f"{self.dropped} embedded attachment{'s were' if self.dropped > 1 else ' was'} not kept "
            f"(each is kept up to {self._limit >> 20} MiB, and up to {EMBEDDED_BUDGET >> 20} MiB "
            "per report); the report file still holds them"
        )
