"""Length-prefixed pickle frames: the wire format between the runner and its child process.

A frame is an 8-byte big-endian length followed by that many bytes of pickle. Both ends
trust each other (the child is our own code started by the runner), so pickle is fine.
"""

from __future__ import annotations

import os
import pickle
import struct

HEADER = struct.Struct(">Q")


def encode(message) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    """Write every byte to a file descriptor (a pipe may take a large frame in parts)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def decode(body: bytes):
    return pickle.loads(body)


def read_frame(stream):
    """The next message from a blocking binary stream, or None at end of stream."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    body = _read_exactly(stream, length)
    if body is None:
        raise EOFError(f"stream ended inside a {length}-byte frame")
    return decode(body)


def _read_exactly(stream, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            if missing == size:
                return None
            raise EOFError(f"stream ended {missing} bytes short of a {size}-byte read")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
