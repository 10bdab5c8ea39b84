"""RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, proofs and their verification.

Pure functions on bytes, no database. Section numbers refer to RFC 9162:

- 2.1.1  MTH({}) = SHA-256(""); leaf hash = SHA-256(0x00 || leaf); node = SHA-256(0x01 || l || r)
- 2.1.3  inclusion proofs (PATH) and 2.1.3.2 their verification
- 2.1.4  consistency proofs (PROOF/SUBPROOF) and 2.1.4.2 their verification

Proofs are generated in terms of *ranges* `[start, end)` of leaves whose subtree hash is one
path element; `subtree_pieces` splits such a range into the perfect (power-of-two, aligned)
subtrees that the store keeps, so a proof needs O(log² n) stored hashes and no leaf scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(width: int) -> int:
    """k: the largest power of two smaller than `width` (width >= 2)."""
    return 1 << ((width - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) straight from the definition (recursive); the reference for everything else."""
    if not leaf_hashes:
        return EMPTY_ROOT
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = _split(len(leaf_hashes))
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


# --- the compact range: an append-only tree's state in O(log n) hashes -----------------------


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """The hash of adjacent subtrees given largest first: H(h0, H(h1, ... H(hn-1, hn)))."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for item in reversed(hashes[:-1]):
        acc = node_hash(item, acc)
    return acc


class CompactRange:
    """The roots of the perfect subtrees that make up a tree of `size` leaves, largest first.

    Appending a leaf merges equal-sized subtrees on the right; each merge is a new perfect
    subtree `(level, position, hash)` covering leaves `[position·2^level, (position+1)·2^level)`.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != bin(size).count("1"):
            raise ValueError("a compact range holds one hash per set bit of the tree size")
        self.size = size
        self.hashes = list(hashes)

    @classmethod
    def from_bytes(cls, size: int, packed: bytes) -> CompactRange:
        return cls(size, [packed[i : i + HASH_SIZE] for i in range(0, len(packed), HASH_SIZE)])

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    def append(self, hashed_leaf: bytes) -> list[tuple[int, int, bytes]]:
        index = self.size
        current, level, created = hashed_leaf, 0, []
        while (self.size >> level) & 1:
            current = node_hash(self.hashes.pop(), current)
            level += 1
            created.append((level, index >> level, current))
        self.hashes.append(current)
        self.size += 1
        return created

    def root(self) -> bytes:
        return fold_right(self.hashes)


# --- proofs as ranges --------------------------------------------------------------------------


def inclusion_ranges(index: int, tree_size: int) -> list[tuple[int, int]]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1 as leaf ranges, from the leaf's sibling upwards."""
    if not 0 <= index < tree_size:
        raise ValueError("need 0 <= index < tree_size")
    steps: list[tuple[int, int]] = []
    start, end = 0, tree_size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            steps.append((start + k, end))
            end = start + k
        else:
            steps.append((start, start + k))
            start += k
    steps.reverse()
    return steps


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1 (SUBPROOF with b = true) as leaf ranges."""
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    if first == second:
        return []

    def subproof(m: int, start: int, end: int, complete: bool) -> list[tuple[int, int]]:
        width = end - start
        if m == width:
            return [] if complete else [(start, end)]
        k = _split(width)
        if m <= k:
            return subproof(m, start, start + k, complete) + [(start + k, end)]
        return subproof(m - k, start + k, end, False) + [(start, start + k)]

    return subproof(first, 0, second, True)


def subtree_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees `(level, position)` that make up `[start, end)`, largest first.

    For the ranges a proof asks for, `start` is aligned to the largest power of two not above
    the width, so the pieces are the binary digits of the width and their hashes fold right
    into the range's MTH.
    """
    pieces = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        pieces.append((level, start >> level))
        start += 1 << level
    return pieces


def hashes_of_ranges(
    ranges: Iterable[tuple[int, int]],
    fetch: Callable[[set[tuple[int, int]]], dict[tuple[int, int], bytes]],
) -> list[bytes]:
    """Each range's MTH from stored perfect-subtree hashes, fetched once for all ranges."""
    ranges = list(ranges)
    split = [subtree_pieces(start, end) for start, end in ranges]
    wanted = {piece for pieces in split for piece in pieces}
    found = fetch(wanted) if wanted else {}
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"stored subtree hashes missing: {sorted(missing)[:5]}")
    return [fold_right([found[piece] for piece in pieces]) for pieces in split]


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2, as written there) ----------------------------


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, hashed_leaf: bytes, audit_path: Sequence[bytes]
) -> bytes:
    """The root an inclusion proof leads to; raises ValueError for a malformed proof."""
    if not 0 <= leaf_index < tree_size:
        raise ValueError("leaf_index out of range")
    fn, sn = leaf_index, tree_size - 1
    r = hashed_leaf
    for p in audit_path:
        if sn == 0:
            raise ValueError("audit path too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("audit path too short")
    return r


def verify_inclusion(
    leaf_index: int, tree_size: int, hashed_leaf: bytes, audit_path: Sequence[bytes], root: bytes
) -> bool:
    try:
        return root_from_inclusion_proof(leaf_index, tree_size, hashed_leaf, audit_path) == root
    except ValueError:
        return False


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does `path` prove that tree `first` is a prefix of tree `second`?"""
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    path = list(path)
    if not path:
        return False
    if first & (first - 1) == 0:  # a power of two: the first tree's root is the first node
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
