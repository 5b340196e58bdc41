"""numpy's seeded random stream for the palette fit's seeding, without importing numpy.random.

    rng = SeededStream([seed, 11])    # the stream of np.random.default_rng(np.random.SeedSequence([seed, 11]))
    rng.random(4)                     # (4,) float64 in [0, 1), the same values as Generator.random(4)
    rng.choice(n, p=p)                # int, the same as Generator.choice(n, p=p)

`import numpy.random` costs ~9 ms of CPU (its bit generators, `secrets`, `hmac`):
6% of `somdesk quantize` on a small picture, a command timed against pngquant
whose whole run is ~70 ms.  The k-means++ seeding draws at most a few thousand
numbers, so the same stream is computed here with Python integers: numpy's
SeedSequence (M. E. O'Neill's seed_seq hash mixing, numpy/random/bit_generator.pyx)
feeding PCG64 (XSL-RR 128/64, O'Neill 2014, numpy/random/src/pcg64), doubles as
(next 64 bits >> 11) * 2^-53 and `choice` with probabilities as numpy's Generator
does it (cumulative sum, normalised, searched on the right).  The values are
numpy's to the bit (tests/core/test_seeded_stream.py compares them), so the
palettes, and the files, are those numpy's Generator gave.
"""
from __future__ import annotations

import numpy as np

__all__ = ["SeededStream"]

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1
_M128 = (1 << 128) - 1
# SeedSequence's constants (numpy/random/bit_generator.pyx)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_XSHIFT = 16
_POOL = 4
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645     # PCG's 128-bit multiplier


def _words(entropy) -> list[int]:
    """The uint32 words numpy makes of a non-negative int or a sequence of them."""
    if isinstance(entropy, (int, np.integer)):
        n = int(entropy)
        if n < 0:
            raise ValueError("expected non-negative integer")
        if n == 0:
            return [0]
        out = []
        while n:
            out.append(n & _M32)
            n >>= 32
        return out
    return [w for value in entropy for w in _words(value)]


def _seed_state(entropy, words: int) -> list[int]:
    """SeedSequence(entropy).generate_state(words, np.uint32)."""
    data = _words(entropy)
    hash_a = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_a
        value = (value ^ hash_a) & _M32
        hash_a = (hash_a * _MULT_A) & _M32
        value = (value * hash_a) & _M32
        return value ^ (value >> _XSHIFT)

    def mix(x: int, y: int) -> int:
        r = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _M32
        return r ^ (r >> _XSHIFT)

    pool = [hashmix(data[i] if i < len(data) else 0) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(data)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(data[src]))
    hash_b = _INIT_B
    out = []
    for i in range(words):
        value = (pool[i % _POOL] ^ hash_b) & _M32
        hash_b = (hash_b * _MULT_B) & _M32
        value = (value * hash_b) & _M32
        out.append(value ^ (value >> _XSHIFT))
    return out


class SeededStream:
    """PCG64 seeded by SeedSequence(entropy): `random` and `choice` as numpy's Generator gives them."""

    def __init__(self, entropy):
        w = _seed_state(entropy, 8)
        u64 = [w[i] | (w[i + 1] << 32) for i in range(0, 8, 2)]     # generate_state(4, uint64)
        init_state = (u64[0] << 64) | u64[1]
        init_seq = (u64[2] << 64) | u64[3]
        self._inc = ((init_seq << 1) | 1) & _M128
        self._state = 0
        self._step()
        self._state = (self._state + init_state) & _M128
        self._step()

    @property
    def state(self) -> int:
        """The generator's position (to come back to with `state = ...`)."""
        return self._state

    @state.setter
    def state(self, value: int) -> None:
        self._state = int(value)

    def _step(self) -> None:
        self._state = (self._state * _PCG_MULT + self._inc) & _M128

    def _next64(self) -> int:
        self._step()
        s = self._state
        value = ((s >> 64) ^ s) & _M64
        rot = s >> 122
        return ((value >> rot) | (value << (64 - rot))) & _M64

    def random(self, size: int | None = None):
        """A float in [0, 1), or a (size,) float64 array of them: Generator.random."""
        if size is None:
            return (self._next64() >> 11) * (1.0 / 9007199254740992.0)
        return np.array([(self._next64() >> 11) * (1.0 / 9007199254740992.0) for _ in range(int(size))])

    def choice(self, n: int, p: np.ndarray) -> int:
        """An index in range(n) drawn with probabilities `p` ((n,) float64): Generator.choice(n, p=p)."""
        p = np.asarray(p, dtype=np.float64)
        if p.shape != (int(n),):
            raise ValueError("p must be 1-dimensional with one probability per choice")
        cdf = p.cumsum()
        cdf /= cdf[-1]
        return int(cdf.searchsorted(self.random(), side="right"))
