"""The one error ``gglift migrate`` stops on: bad input, named by file and JSON path."""

from __future__ import annotations


class MigrateError(Exception):
    """Input gglift cannot migrate. Nothing has been written when it is raised."""

    def __init__(self, code: str, file: str, path: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code, self.file, self.path, self.message, self.hint = code, file, path, message, hint

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        text = f"{where}: {self.message} [{self.code}]"
        return f"{text}\n  hint: {self.hint}" if self.hint else text
