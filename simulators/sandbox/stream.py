"""The lockstep channel between the trusted feed and the sandboxed player: framed bytes.

Both ends speak it over one Unix socket (``os.read``/``os.write`` on a raw descriptor: no socket
API, so nothing here raises an audit event in the child). A frame is a 4-byte big-endian length
and the payload; the length ``END`` (no payload) tells the player the run is over. The trusted
side sends a message only after it has the reply to the previous one, so there is never a
future frame waiting in the socket for a candidate to read ahead.

``pack_arrays``/``unpack_arrays`` carry numpy arrays with a small JSON header (EPLB windows),
so a few megabytes of loads cross the channel without a JSON list of numbers.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

#: Bound at import (in the zygote, before any candidate runs): a candidate that rewrites the
#: builtins breaks its own policy, not the framing of the channel.
_len, _bytes, _max = len, bytes, max
END = 0xFFFFFFFF
#: Largest frame either side accepts (a window of expert loads for a whole batch fits easily).
MAX_FRAME_BYTES = 256 * 1024 * 1024
_READ_CHUNK = 1 << 16


class ChannelClosed(Exception):
    """The other end closed the channel (or sent a frame this side refuses)."""


class Channel:
    """One end of the lockstep socket: blocking, framed, with a small read buffer.

    Replies are read with one ``read`` in the common case (a tick's frame is a few dozen bytes),
    so a round trip costs two system calls on each side.
    """

    __slots__ = ("_buffer", "fd")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()

    def send(self, payload: bytes) -> None:
        self._write(_len(payload).to_bytes(4, "big") + payload)

    def send_end(self) -> None:
        self._write(END.to_bytes(4, "big"))

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def recv(self) -> bytes | None:
        """The next payload; None for ``END``. ``ChannelClosed`` on end of file."""
        size = int.from_bytes(self._take(4), "big")
        if size == END:
            return None
        if size > MAX_FRAME_BYTES:
            raise ChannelClosed(f"frame of {size} bytes refused")
        return self._take(size)

    def _take(self, size: int) -> bytes:
        buffer = self._buffer
        while _len(buffer) < size:
            chunk = os.read(self.fd, _max(_READ_CHUNK, size - _len(buffer)))
            if not chunk:
                raise ChannelClosed("channel closed")
            buffer += chunk
        data = _bytes(buffer[:size])
        del buffer[:size]
        return data


def pack_arrays(meta: dict[str, Any], arrays: list[np.ndarray]) -> bytes:
    """A JSON header (``meta`` plus each array's dtype and shape) followed by the raw bytes."""
    header = {
        **meta,
        "arrays": [[str(a.dtype), list(a.shape)] for a in arrays],
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    return b"".join(
        [len(head).to_bytes(4, "big"), head, *(np.ascontiguousarray(a).tobytes() for a in arrays)]
    )


def unpack_arrays(data: bytes) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Inverse of ``pack_arrays``; the arrays are read-only views of ``data``."""
    size = int.from_bytes(data[:4], "big")
    header = json.loads(data[4 : 4 + size])
    offset = 4 + size
    arrays = []
    for dtype, shape in header.pop("arrays"):
        kind = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        arrays.append(np.frombuffer(data, kind, count, offset).reshape(shape))
        offset += count * kind.itemsize
    return header, arrays
