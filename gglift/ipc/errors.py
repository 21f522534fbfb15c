"""What a Greengrass V2 IPC call can fail with, as exceptions with the nucleus's own names."""

from __future__ import annotations

from typing import Optional


class IpcError(Exception):
    """Base of every IPC failure."""


class IpcConnectionError(IpcError):
    """The nucleus's IPC socket cannot be reached, or the connection was lost mid-call."""


class AuthenticationError(IpcConnectionError):
    """The nucleus closed the connection at CONNECT: the SVCUID (or component name) is not known."""


class MessageTooLargeError(IpcError):
    """The encoded message exceeds what the nucleus accepts (nucleus lite: 10,000 bytes)."""


class OperationError(IpcError):
    """The nucleus answered an operation with an error shape (``aws.greengrass#<name>``)."""

    name = "ServiceError"

    def __init__(self, operation: str, message: str, name: Optional[str] = None):
        self.operation = operation
        self.message = message
        if name:
            self.name = name
        super().__init__(f"{operation}: {self.name}: {message}")


class ServiceError(OperationError):
    name = "ServiceError"


class UnauthorizedError(OperationError):
    name = "UnauthorizedError"


class ResourceNotFoundError(OperationError):
    name = "ResourceNotFoundError"


class InvalidArgumentsError(OperationError):
    name = "InvalidArgumentsError"


class ConflictError(OperationError):
    name = "ConflictError"


_BY_NAME = {cls.name: cls for cls in (ServiceError, UnauthorizedError, ResourceNotFoundError,
                                      InvalidArgumentsError, ConflictError)}


def operation_error(operation: str, shape: str, message: str) -> OperationError:
    """The exception for an error reply whose ``service-model-type`` is ``shape``."""
    name = shape.rpartition("#")[2] or "ServiceError"
    cls = _BY_NAME.get(name, OperationError)
    return cls(operation, message, name)
