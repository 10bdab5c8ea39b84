#!/usr/bin/env python3
"""Check a Thesaban transparency-ledger entry yourself, with nothing but Python 3.

    python3 verify_ledger.py https://…/<municipality>/ledger/ 17
    python3 verify_ledger.py https://…/<municipality>/ledger/ 17 --since 120:<root hash hex>

It downloads the entry, the signed tree head and the inclusion proof, and checks:
1. leaf_hash = SHA-256(0x00 || the leaf's UTF-8 bytes)                     (RFC 9162 §2.1.1)
2. the tree head's Ed25519 signature over the canonical JSON of
   {"municipality", "root_hash", "timestamp", "tree_size"} with the published key — with the
   `cryptography` package if installed, else with `openssl pkeyutl` (OpenSSL 3)
3. the audit path leads from the leaf hash to the signed root                (RFC 9162 §2.1.3.2)
4. with --since SIZE:ROOT (a tree head you checked before): the consistency proof shows the
   log only grew since then — nothing was changed or removed               (RFC 9162 §2.1.4.2)

Exit status 0 when everything checks, 1 when something does not, 2 when the signature could
not be checked (no `cryptography` and no `openssl`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def fetch(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the user's URL)
        return json.load(response)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(leaf: str) -> bytes:
    return sha256(b"\x00" + leaf.encode("utf-8"))


def node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def canonical(value: dict) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2; None if the path does not fit the index and size."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def consistent(first: int, second: int, first_root: bytes, second_root: bytes, path) -> bool:
    """RFC 9162 §2.1.4.2."""
    if first == second:
        return not path and first_root == second_root
    if not 0 < first < second or not path:
        return False
    path = list(path)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def signature_ok(public_key: bytes, signature: bytes, message: bytes) -> bool | None:
    """True/False, or None when neither `cryptography` nor `openssl` is there to check."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        pass
    else:
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
            return True
        except (InvalidSignature, ValueError):
            return False
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    der = ED25519_SPKI_PREFIX + public_key
    pem = (
        "-----BEGIN PUBLIC KEY-----\n"
        + base64.b64encode(der).decode()
        + "\n-----END PUBLIC KEY-----\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: os.path.join(folder, name) for name in ("key.pem", "head.msg", "head.sig")}
        for name, content in (
            ("key.pem", pem.encode()),
            ("head.msg", message),
            ("head.sig", signature),
        ):
            with open(paths[name], "wb") as handle:
                handle.write(content)
        done = subprocess.run(
            [openssl, "pkeyutl", "-verify", "-pubin", "-inkey", paths["key.pem"], "-rawin",
             "-in", paths["head.msg"], "-sigfile", paths["head.sig"]],
            capture_output=True,
        )  # fmt: skip
    return done.returncode == 0


def check(base: str, index: int, since: str | None = None, out=print) -> int:
    base = base if base.endswith("/") else base + "/"
    status = 0

    def report(ok: bool, text: str) -> None:
        nonlocal status
        out(("OK    " if ok else "FAIL  ") + text)
        if not ok:
            status = 1

    head = fetch(urllib.parse.urljoin(base, "tree-head.json"))
    entry = fetch(urllib.parse.urljoin(base, f"entries/{index}.json"))
    out(f"entry {index} ({entry['record_type']}): {entry['leaf']}")
    hashed = leaf_hash(entry["leaf"])
    report(hashed.hex() == entry["leaf_hash"], f"leaf hash {hashed.hex()}")

    message = canonical(
        {key: head[key] for key in ("municipality", "root_hash", "timestamp", "tree_size")}
    )
    signed = signature_ok(
        base64.b64decode(head["public_key"]), base64.b64decode(head["signature"]), message
    )
    if signed is None:
        out("??    signature not checked: install `cryptography` or OpenSSL 3")
        status = status or 2
    else:
        report(
            signed, f"tree head signature (tree_size {head['tree_size']}, key {head['public_key']})"
        )

    query = urllib.parse.urlencode({"index": index, "tree_size": head["tree_size"]})
    proof = fetch(urllib.parse.urljoin(base, f"proof/inclusion.json?{query}"))
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    root = root_from_inclusion(index, head["tree_size"], hashed, path)
    report(
        root is not None and root.hex() == head["root_hash"],
        f"inclusion: {len(path)} hashes lead to the signed root {head['root_hash']}",
    )

    if since:
        size_text, _, old_root = since.partition(":")
        old_size = int(size_text)
        query = urllib.parse.urlencode({"first": old_size, "second": head["tree_size"]})
        proof = fetch(urllib.parse.urljoin(base, f"proof/consistency.json?{query}"))
        report(
            consistent(
                old_size,
                head["tree_size"],
                bytes.fromhex(old_root),
                bytes.fromhex(head["root_hash"]),
                [bytes.fromhex(h) for h in proof["consistency_path"]],
            ),
            f"consistency: the log of {old_size} entries is a prefix of today's {head['tree_size']}",
        )
    out(
        f"keep this tree head to check the log's history later: {head['tree_size']}:{head['root_hash']}"
    )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "ledger_url", help="the municipality's ledger URL, e.g. https://…/demo/ledger/"
    )
    parser.add_argument("index", type=int, help="the entry number shown beside the figure")
    parser.add_argument("--since", help="SIZE:ROOT_HEX of a tree head you checked before")
    args = parser.parse_args(argv)
    return check(args.ledger_url, args.index, args.since)


if __name__ == "__main__":
    sys.exit(main())
