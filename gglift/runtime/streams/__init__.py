"""Stream manager on the local core: the SDKs' protocol (framing, messages), segment files
(store), the TCP server and the exports to AWS (exports, destinations)."""

from gglift.runtime.streams.exports import Exports
from gglift.runtime.streams.server import StreamServer

__all__ = ["Exports", "StreamServer"]
