"""RFC 6962 (and RFC 9162) Merkle trees: roots, inclusion and consistency proofs.

Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left || right);
a tree of n > 1 leaves splits after the largest power of two smaller than n. These are the hashes
Certificate Transparency uses, so any RFC 6962 verifier can check what Strongroom proves.

Functions here take leaf hashes (not entry bytes) and indexes from 0, as the RFC does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_BYTES = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


class Frontier:
    """The roots of the perfect subtrees a growing log is made of: its root at any size.

    Appending costs O(1) amortised and the root O(log n), so a verifier can stream a million
    leaves and still read the root at every checkpoint's size on the way.
    """

    __slots__ = ("_peaks", "size")

    def __init__(self, peaks: Iterable[bytes] = (), size: int = 0) -> None:
        self._peaks: list[tuple[int, bytes]] = []
        self.size = 0
        remaining = size
        for peak in peaks:
            height = remaining.bit_length() - 1
            if height < 0:
                raise ValueError("more peaks than the size allows")
            self._peaks.append((height, peak))
            remaining -= 1 << height
            self.size += 1 << height
        if remaining:
            raise ValueError(f"peaks do not describe a tree of {size} leaves")

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash at the right edge."""
        peaks, height, node = self._peaks, 0, leaf
        while peaks and peaks[-1][0] == height:
            node = node_hash(peaks.pop()[1], node)
            height += 1
        peaks.append((height, node))
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    @property
    def peaks(self) -> tuple[bytes, ...]:
        """The subtree roots, largest (leftmost) first: what ``Frontier(peaks, size)`` restores."""
        return tuple(peak for _, peak in self._peaks)

    def root(self) -> bytes:
        """The tree head of the leaves so far (SHA-256 of nothing for an empty tree)."""
        if not self._peaks:
            return EMPTY_ROOT
        node = self._peaks[-1][1]
        for _, peak in reversed(self._peaks[:-1]):
            node = node_hash(peak, node)
        return node


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH: the tree head of these leaf hashes."""
    frontier = Frontier()
    frontier.extend(leaf_hashes)
    return frontier.root()


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(index, leaves): the audit path that proves leaf ``index`` is in the tree."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    return _path(index, leaves)


def _path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*_path(index, leaves[:k]), root(leaves[k:])]
    return [*_path(index - k, leaves[k:]), root(leaves[:k])]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size``, ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, node = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = node_hash(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and node == root_hash


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(first, leaves): shows the tree of ``first`` leaves is a prefix of this one."""
    if not 0 <= first <= len(leaves):
        raise ValueError(f"a tree of {len(leaves)} leaves has no prefix of {first}")
    if first in (0, len(leaves)):
        return []
    return _subproof(first, leaves, complete=True)


def _subproof(first: int, leaves: Sequence[bytes], *, complete: bool) -> list[bytes]:
    size = len(leaves)
    if first == size:
        return [] if complete else [root(leaves)]
    k = _split(size)
    if first <= k:
        return [*_subproof(first, leaves[:k], complete=complete), root(leaves[k:])]
    return [*_subproof(first - k, leaves[k:], complete=False), root(leaves[:k])]


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree of ``first`` leaves is a prefix of that of ``second``."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a node of the second
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(node, fr), node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root
