"""RFC 9162 hashing and proofs, on hand-computed trees and the Certificate Transparency vectors."""

import hashlib

import pytest

from thesaban.ledger import merkle

# The leaves of the reference tests of Certificate Transparency (RFC 6962/9162 hashing).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
# MTH(D[0:n]) for n = 1..8.
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
H01 = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
H23 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H4567 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
H45 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
H67 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
LEAF1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
LEAF4 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
INCLUSION = {
    (0, 8): [LEAF1, H23, H4567],
    (5, 8): [LEAF4, H67, ROOTS[4]],
    (2, 3): [H01],
    (1, 5): [ROOTS[1], H23, LEAF4],
}
CONSISTENCY = {
    (1, 8): [LEAF1, H23, H4567],
    (6, 8): [H45, H67, ROOTS[4]],
    (2, 5): [H23, LEAF4],
    (4, 4): [],
}


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def stored_tree(leaves: list[bytes]):
    """The hashes a log stores (leaves and completed subtrees), built by appending."""
    nodes, tree = {}, merkle.CompactRange()
    for i, leaf in enumerate(leaves):
        hashed = merkle.leaf_hash(leaf)
        nodes[(0, i)] = hashed
        for level, position, value in tree.append(hashed):
            nodes[(level, position)] = value
    return tree, (lambda wanted: {key: nodes[key] for key in wanted if key in nodes})


def test_empty_tree_and_prefixes_are_as_rfc_9162_says():
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.leaf_hash(b"") == sha(b"\x00")
    assert merkle.node_hash(b"L", b"R") == sha(b"\x01LR")


def test_a_tree_of_three_computed_by_hand():
    a, b, c = (sha(b"\x00" + leaf) for leaf in (b"alpha", b"beta", b"gamma"))
    by_hand = sha(b"\x01" + sha(b"\x01" + a + b) + c)
    assert merkle.root_of([a, b, c]) == by_hand
    tree, _ = stored_tree([b"alpha", b"beta", b"gamma"])
    assert tree.root() == by_hand


def test_a_tree_of_five_computed_by_hand():
    h = [sha(b"\x00" + bytes([i])) for i in range(5)]
    left = sha(b"\x01" + sha(b"\x01" + h[0] + h[1]) + sha(b"\x01" + h[2] + h[3]))
    by_hand = sha(b"\x01" + left + h[4])
    tree, fetch = stored_tree([bytes([i]) for i in range(5)])
    assert tree.root() == by_hand
    # The audit path of leaf 4 is the left subtree alone; of leaf 2: h3, H(h0,h1), h4.
    assert merkle.hashes_of_ranges(merkle.inclusion_ranges(4, 5), fetch) == [left]
    assert merkle.hashes_of_ranges(merkle.inclusion_ranges(2, 5), fetch) == [
        h[3],
        sha(b"\x01" + h[0] + h[1]),
        h[4],
    ]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_of_sizes_1_to_8(size):
    hashed = [merkle.leaf_hash(leaf) for leaf in LEAVES[:size]]
    assert merkle.root_of(hashed).hex() == ROOTS[size]
    tree, fetch = stored_tree(LEAVES[:size])
    assert tree.root().hex() == ROOTS[size]
    # Every older root, rebuilt from stored subtrees only.
    for older in range(1, size + 1):
        assert merkle.hashes_of_ranges([(0, older)], fetch)[0].hex() == ROOTS[older]


@pytest.mark.parametrize(("index", "size"), sorted(INCLUSION))
def test_inclusion_proofs_match_the_reference(index, size):
    _, fetch = stored_tree(LEAVES[:size])
    path = merkle.hashes_of_ranges(merkle.inclusion_ranges(index, size), fetch)
    assert [value.hex() for value in path] == INCLUSION[(index, size)]
    leaf = merkle.leaf_hash(LEAVES[index])
    assert merkle.verify_inclusion(index, size, leaf, path, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("first", "second"), sorted(CONSISTENCY))
def test_consistency_proofs_match_the_reference(first, second):
    _, fetch = stored_tree(LEAVES[:second])
    path = merkle.hashes_of_ranges(merkle.consistency_ranges(first, second), fetch)
    assert [value.hex() for value in path] == CONSISTENCY[(first, second)]
    assert merkle.verify_consistency(
        first, second, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second]), path
    )


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 31, 32, 33, 100])
def test_every_proof_round_trips_and_wrong_ones_fail(size):
    leaves = [f"leaf {i}".encode() for i in range(size)]
    tree, fetch = stored_tree(leaves)
    root = tree.root()
    for index in range(size):
        path = merkle.hashes_of_ranges(merkle.inclusion_ranges(index, size), fetch)
        hashed = merkle.leaf_hash(leaves[index])
        assert merkle.verify_inclusion(index, size, hashed, path, root)
        assert not merkle.verify_inclusion(index, size, merkle.leaf_hash(b"forged"), path, root)
        if size > 1:
            assert not merkle.verify_inclusion((index + 1) % size, size, hashed, path, root)
            assert not merkle.verify_inclusion(index, size, hashed, path[:-1], root)
            assert not merkle.verify_inclusion(index, size, hashed, [*path, root], root)
    for first in range(1, size + 1):
        old_root = merkle.hashes_of_ranges([(0, first)], fetch)[0]
        path = merkle.hashes_of_ranges(merkle.consistency_ranges(first, size), fetch)
        assert merkle.verify_consistency(first, size, old_root, root, path)
        if first < size:
            assert not merkle.verify_consistency(first, size, merkle.leaf_hash(b"x"), root, path)
            assert not merkle.verify_consistency(first, size, old_root, root, path[:-1])


def test_a_rewritten_history_fails_the_consistency_check():
    honest, honest_fetch = stored_tree([f"{i}".encode() for i in range(10)])
    old_root = honest_fetch and merkle.hashes_of_ranges([(0, 6)], honest_fetch)[0]
    rewritten, fetch = stored_tree([b"changed"] + [f"{i}".encode() for i in range(1, 12)])
    path = merkle.hashes_of_ranges(merkle.consistency_ranges(6, 12), fetch)
    assert not merkle.verify_consistency(6, 12, old_root, rewritten.root(), path)


def test_bad_proof_requests_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)
    with pytest.raises(ValueError):
        merkle.CompactRange(3, [b"x" * 32])  # size 3 needs two subtree roots


def test_the_compact_range_round_trips_through_bytes():
    tree, _ = stored_tree([bytes([i]) for i in range(13)])
    again = merkle.CompactRange.from_bytes(13, tree.to_bytes())
    assert again.root() == tree.root()
    assert len(tree.to_bytes()) == 3 * 32  # 13 = 8 + 4 + 1
