"""Keeps local shadows in step with their AWS IoT cloud shadows over the classic MQTT topics.

The local shadow store serves the functions (``gglift run``, and the host on nucleus lite,
which has no ShadowManager). For each thing of ``shadow_sync`` the device owns ``reported``
and the cloud owns ``desired``, as in AWS's device shadow pattern:

- an update a function makes locally is sent to the cloud as it was accepted locally, on
  ``$aws/things/<thing>/shadow/update`` (its ``state`` only: the versions differ), and a
  local delete on ``.../delete``;
- ``desired`` changes from the cloud, on ``.../update/delta``, are applied locally (a local
  ``delta`` reaches the functions listening on it) and never sent back, so nothing echoes;
- at start the sync asks the cloud for the document (``.../get``) and applies its
  ``desired`` from ``.../get/accepted``.

The transport is given: ``gglift run`` passes its MQTT bridge, the host PublishToIoTCore
and SubscribeToIoTCore; this module is the same for both (standard library only).
"""

from __future__ import annotations

import json
import logging
from typing import Callable

from gglift.runtime.shadow import PREFIX, shadow_topic

log = logging.getLogger("gglift.shadowsync")

INBOUND = ("update/delta", "get/accepted")  # what the sync listens to, per thing


class ShadowSync:
    """Syncs ``things``: ``publish(topic, payload)`` sends to the cloud, ``apply(thing,
    update_payload)`` updates the local shadow without syncing it back."""

    def __init__(self, things: tuple[str, ...], publish: Callable[[str, bytes], None],
                 apply: Callable[[str, bytes], None]):
        self.things = tuple(things)
        self._publish = publish
        self._apply = apply
        self._inbound = frozenset(self.filters())

    def filters(self) -> list[str]:
        """The cloud topics to subscribe to."""
        return [shadow_topic(thing, suffix) for thing in self.things for suffix in INBOUND]

    def start(self) -> None:
        """Ask the cloud for each synced document (answered on ``get/accepted``)."""
        for thing in self.things:
            self._publish(shadow_topic(thing, "get"), b"{}")

    def local_change(self, thing: str, op: str, request: bytes) -> None:
        """A function's ``op`` (update, delete) on ``thing``, accepted by the local store."""
        if thing not in self.things:
            return
        if op == "delete":
            self._publish(shadow_topic(thing, "delete"), b"{}")
        elif op == "update":
            state = json.loads(request)["state"]  # the local store accepted it: valid JSON with a state
            self._publish(shadow_topic(thing, "update"), json.dumps({"state": state}).encode())

    def handles(self, topic: str) -> bool:
        """True when ``topic`` is one the sync subscribed to."""
        return topic in self._inbound

    def cloud_message(self, topic: str, payload: bytes) -> None:
        """A message from the cloud on one of :meth:`filters`: its ``desired`` goes local."""
        thing = topic[len(PREFIX):].split("/", 1)[0]
        try:
            document = json.loads(payload)
            state = document["state"]
            desired = state if topic.endswith("/update/delta") else state.get("desired")
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("shadow sync: ignored a malformed message on %s", topic)
            return
        if isinstance(desired, dict) and desired:
            self._apply(thing, json.dumps({"state": {"desired": desired}}).encode())
