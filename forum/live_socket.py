"""The live sockets' WebSocket protocol when compression is on (WETHI_WS_COMPRESSION):
uvicorn's sans-I/O one, with per-message compression that costs a hall almost nothing.

A live message goes to every phone of a channel alike (forum.live composes it once), so it
is compressed once, not once per phone: each message is compressed on its own (no context
kept from one message to the next — `server_no_context_takeover`, which browsers accept),
and the compressed frame of the last messages sent is kept and reused for the other
sockets (`SharedDeflate`). No zlib context stays open per phone, in either direction.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import (
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import Frame, Opcode
from websockets.server import ServerProtocol

SHARED_MESSAGES = 64  # compressed messages kept for the other sockets (the event loop's)


class SharedDeflate(PerMessageDeflate):
    """permessage-deflate without context takeover, each whole message's compressed frame
    shared by every socket that sends the same message (all on one event loop)."""

    _compressed: OrderedDict[tuple[int, bytes], Frame] = OrderedDict()

    def encode(self, frame: Frame) -> Frame:
        if not (frame.fin and frame.opcode in (Opcode.TEXT, Opcode.BINARY)):
            return super().encode(frame)
        key = (frame.opcode, bytes(frame.data))
        found = self._compressed.get(key)
        if found is None:
            found = self._compressed[key] = super().encode(frame)
            if len(self._compressed) > SHARED_MESSAGES:
                self._compressed.popitem(last=False)
        return found


class SharedDeflateFactory(ServerPerMessageDeflateFactory):
    def __init__(self) -> None:
        super().__init__(server_no_context_takeover=True, client_no_context_takeover=True)

    def process_request_params(self, params: Any, accepted_extensions: Any) -> Any:
        response, negotiated = super().process_request_params(params, accepted_extensions)
        shared = SharedDeflate(
            negotiated.remote_no_context_takeover,
            negotiated.local_no_context_takeover,
            negotiated.remote_max_window_bits,
            negotiated.local_max_window_bits,
            negotiated.compress_settings,
        )
        return response, shared


class SharedDeflateProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            self.conn = ServerProtocol(
                extensions=[SharedDeflateFactory()],
                max_size=self.config.ws_max_size,
                logger=logging.getLogger("uvicorn.error"),
            )
