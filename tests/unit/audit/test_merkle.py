"""The Merkle tree agrees with RFC 6962 (the Certificate Transparency vectors) and its proofs."""

from __future__ import annotations

import hashlib

import pytest

from strongroom.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The reference leaves and tree heads of Certificate Transparency (transparency-dev/merkle).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CT_CONSISTENCY = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
HASHED = [leaf_hash(leaf) for leaf in CT_LEAVES]
MANY = [leaf_hash(b"entry %d" % n) for n in range(40)]


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def test_the_empty_tree_has_the_hash_of_the_empty_string_as_its_root() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_the_roots_of_the_certificate_transparency_vectors_match(size: int) -> None:
    assert root(HASHED[:size]).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "expected"), CT_INCLUSION)
def test_inclusion_proofs_match_the_certificate_transparency_vectors(
    index: int, size: int, expected: list[str]
) -> None:
    proof = inclusion_proof(index, HASHED[:size])
    assert [node.hex() for node in proof] == expected
    assert verify_inclusion(HASHED[index], index, size, proof, bytes.fromhex(CT_ROOTS[size - 1]))


@pytest.mark.parametrize(("first", "second", "expected"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_certificate_transparency_vectors(
    first: int, second: int, expected: list[str]
) -> None:
    proof = consistency_proof(first, HASHED[:second])
    assert [node.hex() for node in proof] == expected
    roots = bytes.fromhex(CT_ROOTS[first - 1]), bytes.fromhex(CT_ROOTS[second - 1])
    assert verify_consistency(first, second, *roots, proof)


def test_every_inclusion_proof_of_every_leaf_verifies_in_trees_of_1_to_40_leaves() -> None:
    for size in range(1, 41):
        leaves, head = MANY[:size], root(MANY[:size])
        for index in range(size):
            proof = inclusion_proof(index, leaves)
            assert verify_inclusion(leaves[index], index, size, proof, head), (index, size)


def test_a_tampered_inclusion_proof_never_verifies() -> None:
    for size in range(1, 41):
        leaves, head = MANY[:size], root(MANY[:size])
        for index in range(size):
            proof = inclusion_proof(index, leaves)
            assert not verify_inclusion(_flip(leaves[index]), index, size, proof, head)
            assert not verify_inclusion(leaves[index], index, size, proof, _flip(head))
            # A size one off can share a proof's shape (3 and 4 leaves do); twice never does.
            assert not verify_inclusion(leaves[index], index, 2 * size, proof, head)
            assert not verify_inclusion(leaves[index], size, size, proof, head)
            if size > 1:
                assert not verify_inclusion(leaves[index], index ^ 1, size, proof, head)
                assert not verify_inclusion(leaves[index], index, size, proof[:-1], head)
                assert not verify_inclusion(leaves[index], index, size, [*proof, head], head)
            for position in range(len(proof)):
                bad = [*proof]
                bad[position] = _flip(bad[position])
                assert not verify_inclusion(leaves[index], index, size, bad, head)


def test_every_consistency_proof_between_smaller_and_larger_trees_verifies() -> None:
    for second in range(1, 41):
        for first in range(1, second + 1):
            proof = consistency_proof(first, MANY[:second])
            roots = root(MANY[:first]), root(MANY[:second])
            assert verify_consistency(first, second, *roots, proof), (first, second)


def test_a_tampered_consistency_proof_never_verifies() -> None:
    for second in range(2, 41):
        for first in range(1, second):
            proof = consistency_proof(first, MANY[:second])
            old, new = root(MANY[:first]), root(MANY[:second])
            assert not verify_consistency(first, second, _flip(old), new, proof)
            assert not verify_consistency(first, second, old, _flip(new), proof)
            assert not verify_consistency(first, 2 * second, old, new, proof)
            assert not verify_consistency(first, second, old, new, proof[:-1])
            for position in range(len(proof)):
                bad = [*proof]
                bad[position] = _flip(bad[position])
                assert not verify_consistency(first, second, old, new, bad)


def test_a_rewritten_history_is_not_consistent_with_the_old_root() -> None:
    rewritten = [*MANY[:10]]
    rewritten[3] = leaf_hash(b"something else")
    old = root(MANY[:8])
    proof = consistency_proof(8, rewritten)
    assert not verify_consistency(8, 10, old, root(rewritten), proof)


def test_the_empty_tree_and_equal_trees_are_trivially_consistent() -> None:
    head = root(MANY[:5])
    assert consistency_proof(0, MANY[:5]) == []
    assert verify_consistency(0, 5, EMPTY_ROOT, head, [])
    assert verify_consistency(5, 5, head, head, [])
    assert not verify_consistency(5, 5, head, _flip(head), [])
    assert not verify_consistency(6, 5, head, head, [])


def test_a_proof_for_a_leaf_outside_the_tree_is_refused() -> None:
    with pytest.raises(ValueError, match="not in a tree of 3"):
        inclusion_proof(3, MANY[:3])
    with pytest.raises(ValueError, match="no prefix of 4"):
        consistency_proof(4, MANY[:3])


def test_the_frontier_gives_the_root_at_every_size_and_resumes_from_its_peaks() -> None:
    frontier = Frontier()
    for size, leaf in enumerate(MANY, start=1):
        frontier.append(leaf)
        assert frontier.root() == root(MANY[:size])
        resumed = Frontier(frontier.peaks, size)
        resumed.extend(MANY[size:])
        assert resumed.root() == root(MANY)


def test_a_frontier_refuses_peaks_that_do_not_fit_its_size() -> None:
    with pytest.raises(ValueError, match="do not describe a tree of 3"):
        Frontier([MANY[0]], 3)
    with pytest.raises(ValueError, match="more peaks"):
        Frontier([MANY[0], MANY[1]], 1)


def test_node_hashes_are_domain_separated_from_leaf_hashes() -> None:
    assert node_hash(HASHED[0], HASHED[1]) == bytes.fromhex(CT_ROOTS[1])
    assert leaf_hash(HASHED[0] + HASHED[1]) != node_hash(HASHED[0], HASHED[1])
