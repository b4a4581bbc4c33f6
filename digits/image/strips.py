"""Large 8-bit PNGs decoded a strip of rows at a time, so memory stays bounded (issue 12).

Pillow decodes a PNG whole (an RGB 6000 × 6000 image takes 144 MB before any conversion). Here the
compressed pixel stream is inflated incrementally and every strip of rows becomes a small PNG of
its own, which Pillow decodes: its first row is the previous strip's last row, already unfiltered
(filter type None), so the strip's own filters (Up, Average, Paeth) see the row above them as in
the original file. Interlaced PNGs and bit depths other than 8 are left to the whole decode.
"""

import io
import struct
import zlib
from collections.abc import Iterator

import numpy as np
from PIL import Image

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type → samples per pixel
STRIP_BYTES = 1_000_000  # filtered bytes per strip (its RGBA conversion takes up to 4 × this)


def _chunks(data: bytes) -> Iterator[tuple[bytes, memoryview]]:
    """(type, payload) of every chunk of a PNG, in order."""
    view, position = memoryview(data), len(SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        yield kind, view[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IEND":
            return


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_orientation(data: bytes) -> int:
    """Read the EXIF orientation of a PNG from its eXIf chunk, 1 without one.

    Pillow's `getexif()` decodes a whole PNG to look for the chunk, which may follow the pixels.
    """
    for kind, payload in _chunks(data):
        if kind == b"eXIf":
            exif = Image.Exif()
            exif.load(b"Exif\x00\x00" + bytes(payload))
            return int(exif.get(0x0112, 1))
    return 1


def png_strips(data: bytes) -> Iterator[np.ndarray] | None:
    """Iterate over uint8 RGBA strips `(rows, width, 4)` of an 8-bit, non-interlaced PNG, top to bottom.

    None for any other PNG (decode it whole then). Corrupt data raises ValueError or zlib.error
    while iterating.
    """
    if not data.startswith(SIGNATURE):
        return None
    chunks = list(_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return None
    header = bytes(chunks[0][1])
    width, height, bit_depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if bit_depth != 8 or interlace != 0 or colour_type not in CHANNELS:
        return None
    extras = b"".join(_chunk(kind, bytes(payload)) for kind, payload in chunks if kind in (b"PLTE", b"tRNS"))
    stream = (bytes(payload) for kind, payload in chunks if kind == b"IDAT")
    stride = width * CHANNELS[colour_type] + 1
    return _strips(stream, header, extras, stride=stride, height=height)


def _strips(stream, header: bytes, extras: bytes, *, stride: int, height: int) -> Iterator[np.ndarray]:
    """Inflate `stream` a strip at a time and decode each strip as a small PNG (see the module's doc)."""
    decompressor = zlib.decompressobj()
    rows_per_strip = max(1, STRIP_BYTES // stride)
    source, previous, done = b"", None, 0
    while done < height:
        rows = min(rows_per_strip, height - done)
        pending = bytearray()
        while len(pending) < rows * stride:
            if not source:
                source = next(stream, b"")
                if not source:
                    raise ValueError("PNG pixel data ends early")
            pending += decompressor.decompress(source, rows * stride - len(pending))
            source = decompressor.unconsumed_tail
        above = b"" if previous is None else b"\x00" + previous
        strip_header = header[:4] + struct.pack(">I", rows + (previous is not None)) + header[8:]
        png = SIGNATURE + _chunk(b"IHDR", strip_header) + extras
        png += _chunk(b"IDAT", zlib.compress(above + bytes(pending), 0)) + _chunk(b"IEND", b"")
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            samples = np.asarray(image)
            previous = samples[-1].tobytes()  # unfiltered: the next strip's row above
            rgba = np.asarray(image.convert("RGBA"))
        yield rgba[1:] if above else rgba
        done += rows
