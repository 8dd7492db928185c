#!/usr/bin/env python3
"""Interoperability with pyseto, the PASETO library fastapi-paseto is built on.

1. Makes tokens with pyseto in fastapi-paseto's claim layout, under fixed test
   keys, some with the key's PASERK id as the footer's `kid`, and writes them to
   pyseto-tokens.json (shipped as test data, so the Rust suite checks them with
   nothing extra installed).
2. Has the Rust runtime issue tokens under the same keys and checks each one in
   pyseto: decryption or signature, exp/nbf, the claims, and the footer's `kid`.

Run from anywhere: python3 tests/interop/pyseto_interop.py
It creates a virtualenv under target/interop with pyseto pinned.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import uuid
import venv
from datetime import datetime, timedelta, timezone
from pathlib import Path

PYSETO = "pyseto==1.10.0"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WORK = ROOT / "target" / "interop"
LOCAL_KEY = b"an-example-key-of-32-bytes-long!"  # tests/lib.rs KEY
FAR_FUTURE = datetime(2099, 1, 1, tzinfo=timezone.utc)


def raw_secrets():
    """Secrets as fastapi-paseto services are configured, by length: the seed
    page's "secret", short ones, `secrets.token_urlsafe(32)` (43), the guide's
    `openssl rand -base64 32` (44) and `token_hex(32)` (64). pyseto keys
    v4.local with the secret's bytes."""
    digest = hashlib.sha256(b"paseto-axum interop raw secret").digest()
    return [
        "secret",
        digest.hex()[:16],
        base64.urlsafe_b64encode(digest).decode().rstrip("="),
        base64.b64encode(digest).decode(),
        digest.hex(),
    ]


def in_venv():
    """Re-runs this script inside a virtualenv that has pyseto."""
    python = WORK / "venv" / "bin" / "python"
    if Path(sys.prefix).resolve() == (WORK / "venv").resolve():
        return
    if not python.exists():
        venv.create(WORK / "venv", with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-q", PYSETO], check=True)
    os.execv(python, [str(python), __file__])


def keys():
    import pyseto
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = hashlib.sha256(b"paseto-axum interop test key").digest()
    private = Ed25519PrivateKey.from_private_bytes(seed)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "local": pyseto.Key.new(4, "local", LOCAL_KEY),
        "secret": pyseto.Key.new(4, "public", pem),
        "public": pyseto.Key.new(4, "public", public_pem),
        "private_pem": pem.decode(),
        "public_pem": public_pem.decode(),
    }


def iso(t):
    """fastapi-paseto's time format: RFC 3339, whole seconds, +00:00."""
    return t.replace(microsecond=0).isoformat()


def fastapi_paseto_claims(sub, token_type, fresh=None, extra=None):
    now = datetime.now(timezone.utc)
    claims = {
        "sub": sub,
        "nbf": iso(now),
        "jti": str(uuid.uuid4()),
        "type": token_type,
    }
    if fresh is not None:
        claims["fresh"] = fresh
    claims["exp"] = iso(FAR_FUTURE)
    claims["iat"] = iso(now)
    claims.update(extra or {})
    return claims


def make_pyseto_tokens(k):
    import pyseto

    cases = [
        ("access", "local", "access", False, None, False),
        ("fresh access", "local", "access", True, None, False),
        ("refresh", "local", "refresh", None, None, False),
        ("custom type", "local", "email-verify", None, {"email": "test@example.com"}, False),
        ("public access", "public", "access", False, None, False),
        ("access with kid", "local", "access", False, None, True),
        ("public access with kid", "public", "access", False, None, True),
    ]
    tokens = []
    for name, purpose, token_type, fresh, extra, with_kid in cases:
        claims = fastapi_paseto_claims("test", token_type, fresh, extra)
        key = k["local"] if purpose == "local" else k["secret"]
        # A public token names the public key, which is what verifiers hold.
        kid = (k["local"] if purpose == "local" else k["public"]).to_paserk_id()
        footer = {"kid": kid} if with_kid else b""
        token = pyseto.encode(key, json.dumps(claims).encode(), footer, serializer=json).decode()
        case = {"name": name, "claims": claims, "token": token}
        if with_kid:
            case["kid"] = kid
        tokens.append(case)
    secrets = []
    for secret in raw_secrets():
        claims = fastapi_paseto_claims("test", "access", False)
        key = pyseto.Key.new(4, "local", secret.encode())
        token = pyseto.encode(key, json.dumps(claims).encode()).decode()
        secrets.append({"secret": secret, "claims": claims, "token": token})
    data = {
        "generator": PYSETO,
        "local_key": k["local"].to_paserk(),
        "secret_key": k["secret"].to_paserk(),
        "public_key": k["public"].to_paserk(),
        "private_pem": k["private_pem"],
        "public_pem": k["public_pem"],
        "tokens": tokens,
        "raw_secrets": secrets,
    }
    (HERE / "pyseto-tokens.json").write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {len(tokens)} pyseto tokens to tests/interop/pyseto-tokens.json")


def check_rust_tokens(k):
    import pyseto

    out = WORK / "rust-tokens.json"
    subprocess.run(
        ["cargo", "test", "-q", "-p", "paseto-tests", "--test", "interop", "--",
         "--ignored", "--exact", "issue_tokens_for_pyseto"],
        cwd=ROOT, check=True, env={**os.environ, "PASETO_INTEROP_OUT": str(out)},
    )
    failures = 0
    for case in json.loads(out.read_text()):
        if "secret" in case:
            key = pyseto.Key.new(4, "local", case["secret"].encode())
        elif case["token"].startswith("v4.local."):
            key = k["local"]
        else:
            key = k["public"]
        try:
            decoded = pyseto.decode(key, case["token"], deserializer=json)
            claims = decoded.payload
            for name, value in case["expect"].items():
                assert claims.get(name) == value, f"{name}: {claims.get(name)!r} != {value!r}"
            if "secret" in case:
                # A raw secret has no PASERK id: its tokens carry no footer.
                assert not decoded.footer, f"footer: {decoded.footer!r}"
            else:
                kid = decoded.footer["kid"]
                assert kid == key.to_paserk_id(), f"kid: {kid!r} != {key.to_paserk_id()!r}"
            uuid.UUID(claims["jti"], version=4)
            for name in ("iat", "nbf", "exp"):
                datetime.fromisoformat(claims[name])
            print(f"ok   pyseto accepts the Rust {case['name']} token")
        except Exception as error:  # report every case, then fail
            failures += 1
            print(f"FAIL pyseto rejects the Rust {case['name']} token: {error!r}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    in_venv()
    k = keys()
    make_pyseto_tokens(k)
    subprocess.run(["cargo", "test", "-q", "-p", "paseto-tests", "--test", "interop"], cwd=ROOT, check=True)
    check_rust_tokens(k)
