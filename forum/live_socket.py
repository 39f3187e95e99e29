"""The live sockets' WebSocket protocol when compression is on (WETHI_WS_COMPRESSION):
uvicorn's sans-I/O one, with a smaller compression context per phone — a 1 KB window and
a small hash table instead of uvicorn's 4 KB and 16 KB — since 2,000 phones each hold one.
A frame's markup repeats within itself and from the frame before, which a small window
still finds."""

from __future__ import annotations

import logging
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.server import ServerProtocol

WINDOW_BITS = 10  # 1 KB
MEMORY_LEVEL = 2  # zlib's hash table: 2 KB


class SmallWindowProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            self.conn = ServerProtocol(
                extensions=[
                    ServerPerMessageDeflateFactory(
                        server_max_window_bits=WINDOW_BITS,
                        client_max_window_bits=WINDOW_BITS,
                        compress_settings={"memLevel": MEMORY_LEVEL},
                    )
                ],
                max_size=self.config.ws_max_size,
                logger=logging.getLogger("uvicorn.error"),
            )
