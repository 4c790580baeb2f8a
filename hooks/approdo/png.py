"""A PNG encoder for the social cards: every row unfiltered, one zlib stream.

Pillow filters every row adaptively (it offers no choice) and then deflates. On a card (large
flat areas, anti-aliased text) unfiltered rows compress better and cost less: at zlib's default
level a card takes about a fifth of the CPU of Pillow's ``optimize=True`` and is about 10 %
smaller (``bench/social_cards.py --encoding`` prints the comparison). Decoders see the same
pixels. No metadata is written, so the same pixels always give the same bytes.
"""

from __future__ import annotations

import struct
import zlib

from PIL import Image

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NO_FILTER = b"\x00"
# IHDR: 8 bits per channel, colour type 2 (RGB), deflate, standard filters, no interlace.
_RGB8 = (8, 2, 0, 0, 0)


def encode_rgb(image: Image.Image, level: int = 6) -> bytes:
    """The PNG bytes of an RGB ``image``, deflated at zlib ``level``."""
    if image.mode != "RGB":
        raise ValueError(f"encode_rgb takes an RGB image, not {image.mode}")
    width, height = image.size
    stride = width * 3
    pixels = image.tobytes()
    deflate = zlib.compressobj(level)
    data = [deflate.compress(_NO_FILTER + pixels[start:start + stride])
            for start in range(0, len(pixels), stride)]
    data.append(deflate.flush())
    return b"".join((_SIGNATURE, _chunk(b"IHDR", struct.pack(">II5B", width, height, *_RGB8)),
                     _chunk(b"IDAT", b"".join(data)), _chunk(b"IEND", b"")))


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
