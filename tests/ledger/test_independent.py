"""Our tree against an independent implementation: pymerkle with RFC 9162 hashing.

pymerkle (https://github.com/fmerg/pymerkle) hashes leaves as SHA-256(0x00 || data) and nodes as
SHA-256(0x01 || left || right) when its "security" mode is on (the default), builds the tree
shape of RFC 9162, and makes its own inclusion and consistency proofs. Its inclusion path is
[leaf hash] + the RFC 9162 audit path; its consistency path has a layout of its own, so those are
compared by verifying each implementation's proof against the other's roots.
"""

import pytest
from pymerkle import InmemoryTree, verify_consistency, verify_inclusion

from thesaban.ledger import merkle, selectors, services
from thesaban.ledger.canonical import canonical_json
from thesaban.ledger.services import PreparedLeaf

SIZES = list(range(1, 70)) + [127, 128, 129, 255, 256, 257, 1000]


def _pymerkle_tree(leaves: list[bytes]) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")  # security (0x00/0x01 prefixes) is on by default
    assert tree.security and tree.leaf_prefix == b"\x00" and tree.node_prefix == b"\x01"
    for leaf in leaves:
        tree.append_entry(leaf)
    return tree


def _ours(leaves: list[bytes]):
    nodes, tree = {}, merkle.CompactRange()
    for i, leaf in enumerate(leaves):
        hashed = merkle.leaf_hash(leaf)
        nodes[(0, i)] = hashed
        for level, position, value in tree.append(hashed):
            nodes[(level, position)] = value
    return tree, (lambda wanted: {key: nodes[key] for key in wanted})


@pytest.fixture(scope="module")
def trees():
    leaves = [canonical_json({"n": i, "ข้อมูล": "ทดสอบ"}).encode() for i in range(max(SIZES))]
    theirs = _pymerkle_tree(leaves)
    ours, fetch = _ours(leaves)
    return leaves, theirs, ours, fetch


def test_roots_agree_for_every_size(trees):
    leaves, theirs, _ours_tree, fetch = trees
    for size in SIZES:
        ours = merkle.hashes_of_ranges([(0, size)], fetch)[0]
        assert ours == theirs.get_root(size), size
        assert ours == merkle.root_of([merkle.leaf_hash(leaf) for leaf in leaves[:size]])
        assert _ours(leaves[:size])[0].root() == theirs.get_root(size)


def test_leaf_hashes_agree(trees):
    leaves, theirs, _, _ = trees
    for i in (0, 1, 500, 999):
        assert theirs.get_leaf(i + 1) == merkle.leaf_hash(leaves[i])


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_proofs_agree(trees, size):
    leaves, theirs, _, fetch = trees
    root = theirs.get_root(size)
    indexes = (
        range(size) if size <= 129 else sorted({0, 1, size // 3, size // 2, size - 2, size - 1})
    )
    for index in indexes:
        ours = merkle.hashes_of_ranges(merkle.inclusion_ranges(index, size), fetch)
        proof = theirs.prove_inclusion(index + 1, size)
        assert proof.path[0] == merkle.leaf_hash(leaves[index])
        assert ours == proof.path[1:], (index, size)
        assert merkle.verify_inclusion(index, size, proof.path[0], proof.path[1:], root)
        verify_inclusion(merkle.leaf_hash(leaves[index]), root, proof)  # raises if invalid


@pytest.mark.parametrize("size", SIZES)
def test_consistency_proofs_verify_across_implementations(trees, size):
    _, theirs, _, fetch = trees
    firsts = range(1, size + 1) if size <= 129 else sorted({1, 2, 3, size // 2, size - 1, size})
    later = theirs.get_root(size)
    for first in firsts:
        prior = theirs.get_root(first)
        ours = merkle.hashes_of_ranges(merkle.consistency_ranges(first, size), fetch)
        assert merkle.verify_consistency(first, size, prior, later, ours), (first, size)
        verify_consistency(prior, later, theirs.prove_consistency(first, size))
        # A forged earlier root does not pass.
        assert not merkle.verify_consistency(first, size, merkle.leaf_hash(b"forged"), later, ours)


@pytest.mark.django_db
def test_the_database_log_agrees_with_pymerkle(municipality):
    """Through the service and the stored subtree hashes, not only the pure functions."""
    leaves = [canonical_json({"record_type": "bench.synthetic", "n": i}) for i in range(300)]
    for start in range(0, 300, 37):  # uneven batches, as appends arrive
        services.ledger_append_leaves(
            municipality=municipality,
            leaves=[
                PreparedLeaf("bench.synthetic", "bench.synthetic", str(i), leaves[i])
                for i in range(start, min(start + 37, 300))
            ],
        )
    theirs = _pymerkle_tree([leaf.encode() for leaf in leaves])
    head = selectors.ledger_tree_head(municipality=municipality)
    assert (head.tree_size, head.root_hash) == (300, theirs.get_root())
    for size in (1, 2, 37, 64, 100, 255, 256, 299, 300):
        assert selectors.ledger_root_at(
            municipality=municipality, tree_size=size
        ) == theirs.get_root(size)
        for index in {0, size // 2, size - 1}:
            path = selectors.ledger_inclusion_proof(
                municipality=municipality, index=index, tree_size=size
            )
            assert path == theirs.prove_inclusion(index + 1, size).path[1:]
        for first in {1, size // 2 or 1, size}:
            path = selectors.ledger_consistency_proof(
                municipality=municipality, first=first, second=size
            )
            assert merkle.verify_consistency(
                first, size, theirs.get_root(first), theirs.get_root(size), path
            )
