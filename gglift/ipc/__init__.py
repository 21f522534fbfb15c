"""Greengrass V2 IPC (eventstream RPC over the nucleus's Unix socket), standard library only."""

from gglift.ipc.client import NUCLEUS_LITE_MAX_MESSAGE, IpcClient, Subscription
from gglift.ipc.errors import (AuthenticationError, ConflictError, InvalidArgumentsError, IpcConnectionError, IpcError,
                               MessageTooLargeError, OperationError, ResourceNotFoundError, ServiceError,
                               UnauthorizedError)

__all__ = ["IpcClient", "Subscription", "NUCLEUS_LITE_MAX_MESSAGE", "IpcError", "IpcConnectionError",
           "AuthenticationError", "MessageTooLargeError", "OperationError", "ServiceError", "UnauthorizedError",
           "ResourceNotFoundError", "InvalidArgumentsError", "ConflictError"]
