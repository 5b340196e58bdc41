"""ICC v2 matrix/shaper RGB profiles built from their definition (ICC.1:2001-04), for tests.

A display profile of this kind is what cameras, phones and renderers embed: three
colorants (the primaries' XYZ, adapted to the D50 connection space), a white point and
one tone curve per channel.  Built here so the tests need no profile files.
"""
from __future__ import annotations

import struct

import numpy as np

D50 = (0.9642, 1.0, 0.8249)

# Bradford-adapted (D65 -> D50) colorants of the primaries, as in the published profiles
SRGB_COLORANTS = ((0.4360747, 0.2225045, 0.0139322), (0.3850649, 0.7168786, 0.0971045),
                  (0.1430804, 0.0606169, 0.7141733))
DISPLAY_P3_COLORANTS = ((0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419),
                        (0.1571, 0.0666, 0.7841))


def _s15f16(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15f16(x) + _s15f16(y) + _s15f16(z)


def _curve(gamma: float) -> bytes:
    return b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", int(round(gamma * 256)))


def _desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    body = b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_
    body += struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67   # no Unicode, no ScriptCode
    return body


def _text(text: str) -> bytes:
    return b"text" + b"\0" * 4 + text.encode("ascii") + b"\0"


def rgb_profile(description: str, colorants=SRGB_COLORANTS, gamma: float = 2.2) -> bytes:
    """An ICC v2 display profile: `colorants` ((rX, rY, rZ), (g..), (b..)) in D50 XYZ and one
    gamma curve for all three channels.  Returns the profile's bytes."""
    tags = [(b"desc", _desc(description)), (b"cprt", _text("no copyright, test data")),
            (b"wtpt", _xyz(*D50)), (b"rXYZ", _xyz(*colorants[0])), (b"gXYZ", _xyz(*colorants[1])),
            (b"bXYZ", _xyz(*colorants[2])), (b"rTRC", _curve(gamma)), (b"gTRC", _curve(gamma)),
            (b"bTRC", _curve(gamma))]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ "
    header += b"\0" * 12 + b"acsp" + b"APPL" + b"\0" * 4 + b"\0" * 8 + b"\0" * 8 + b"\0" * 4
    header += _s15f16(D50[0]) + _s15f16(D50[1]) + _s15f16(D50[2]) + b"\0" * 4
    header += b"\0" * (128 - len(header))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1's encoding of linear light in 0..1."""
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
