"""The two errors of the runbook catalogue: a bad file, and a bad value typed in the modal.

They are separate because they reach different people: a ``CatalogueError`` stops memtui at
start (the user's runbook file is wrong and must be fixed), a ``ParamError`` is shown under one
field of the confirmation modal while the operator types, and nothing is sent.
"""

from __future__ import annotations


class CatalogueError(ValueError):
    """A catalogue file (packaged or the user's ``--runbook FILE``) cannot be used.

    The message names the file, the entry (its id, or its position when the id is missing) and
    the field, so the user can fix the file without reading memtui's code.
    """

    def __init__(self, message: str, *, source: str = "", entry: str = "", field: str = "") -> None:
        super().__init__(message)
        self.source = source
        self.entry = entry
        self.field = field


class ParamError(ValueError):
    """A parameter value the operator typed is not acceptable; ``message`` fits under the field."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


class FieldError(Exception):
    """Internal: one field of one entry is wrong; the loader adds the file and entry to it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}" if field else message)
        self.field = field
        self.message = message

    def within(self, prefix: str) -> FieldError:
        """The same error with its field path nested under ``prefix`` (``operation``, ``params.x``)."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return FieldError(field, self.message)
