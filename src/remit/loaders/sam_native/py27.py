"""The order in which Python 2.7 iterates a dict of string keys, which aws-sam-translator still reproduces for
some of the mappings it builds (and so for the order of some resources it writes).

CPython 2.7 (hash randomisation off) hashes a string as ``x = ord(s[0]) << 7``, then ``x = (1000003 * x) ^ c``
for each character, ``x ^= len(s)``, in a 64-bit word; its dict is an open-addressing table of a power-of-two
size (8 at first) probed from ``hash & mask`` with the perturbed sequence ``i = 5 * i + perturb + 1``,
``perturb >>= 5``, grown (to the smallest power of two above four times the entries, re-inserting in table
order) when two thirds are filled; iteration is in table order. Only fresh insertions are modelled: no deletion,
no copy."""

from __future__ import annotations

from collections.abc import Iterable

_MASK64 = (1 << 64) - 1
_MIN_SIZE = 8
_PERTURB_SHIFT = 5


def py27_hash(text: str) -> int:
    """Python 2.7's hash of a string, as an unsigned 64-bit value (what its dict masks)."""
    if not text:
        return 0
    x = (ord(text[0]) << 7) & _MASK64
    for char in text:
        x = ((1000003 * x) ^ ord(char)) & _MASK64
    x ^= len(text)
    if x == _MASK64:  # -1 is reserved: Python 2 uses -2
        x = _MASK64 - 1
    return x


def _slot(table: dict[int, str], key: str, mask: int) -> int:
    h = py27_hash(key)
    i = h & mask
    walker, perturb = i, h
    while i in table:
        walker = (walker << 2) + walker + perturb + 1
        i = walker & mask
        perturb >>= _PERTURB_SHIFT
    return i


def py27_order(keys: Iterable[str]) -> list[str]:
    """``keys`` (distinct, in insertion order) in the order a Python 2.7 dict would iterate them."""
    table: dict[int, str] = {}
    mask = _MIN_SIZE - 1
    for key in keys:
        table[_slot(table, key, mask)] = key
        if len(table) * 3 >= (mask + 1) * 2:
            size = _MIN_SIZE
            while size <= len(table) * 4:
                size <<= 1
            mask = size - 1
            old = [table[i] for i in sorted(table)]
            table = {}
            for moved in old:
                table[_slot(table, moved, mask)] = moved
    return [table[i] for i in sorted(table)]
