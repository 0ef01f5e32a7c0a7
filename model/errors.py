"""Errors a user can cause and fix: the CLI and the service print them as one line."""

from __future__ import annotations

from collections.abc import Sequence


class UserError(Exception):
    """A problem with the user's input or setup; its message is one specific line."""


class AnnotationProblems(UserError):
    """A file (or batch) holds invalid annotations; ``problems`` lists every one."""

    def __init__(self, problems: Sequence[object]):
        self.problems = [str(p) for p in problems]
        count = len(self.problems)
        first = self.problems[0] if self.problems else "no problems"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{first}{more}")
