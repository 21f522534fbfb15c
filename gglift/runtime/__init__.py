"""The local Greengrass core behind ``gglift run`` and ``gglift invoke``.

Parts, each behind a small interface so the same core can run bridged to another bus:
:mod:`~gglift.runtime.transport` (the HTTP IPC workers speak), :mod:`~gglift.runtime.router`
(subscriptions and event sources), :mod:`~gglift.runtime.pool` (workers and queues),
:mod:`~gglift.runtime.shadow` and :mod:`~gglift.runtime.secrets` (local services),
:mod:`~gglift.runtime.mqtt` (the ``IOT_CORE`` side), wired by :class:`Core`.
"""

from gglift.runtime.core import Core
from gglift.runtime.work import Result

__all__ = ["Core", "Result"]
