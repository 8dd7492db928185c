#!/usr/bin/env python3
"""Runs the real fastapi-paseto 0.7.1 service (fastapi_app.py under uvicorn)
beside the example app, configured with "the same" key as the guide's "Running
beside a fastapi-paseto service" says, and has tokens cross both ways.

For each row of ROWS, and each direction (A issues, B verifies):
  - log in at A: a fresh access token and a refresh token;
  - B's /protected and /protected-fresh take A's access token: 200 {"user": "test"};
  - B's /refresh takes A's refresh token: 200 {"access_token": ...}; that token
    is not fresh: A's and B's /protected take it, their /protected-fresh refuse
    it with 401 {"detail": "PASETO access token is not fresh"};
  - B's /protected refuses A's refresh token (fastapi-paseto: 422, the example
    app: 401 with `error="invalid_token"`), with "Access token required but
    refresh provided".
The last row is a negative one: a key that writes the `kid` footer, whose
tokens fastapi-paseto refuses (why PASETO_KID_FOOTER=false exists).

Stdlib only. Run: python3 tests/interop/fastapi_interop.py [EXAMPLE_APP]
(the binary, default $EXAMPLE_APP or target/debug/example-app), with
--venv naming the venv that has fastapi-paseto (default target/seed/venv;
scripts/interop makes it). Prints one line per row, then "N passed, M failed".
"""

import argparse
import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TIMEOUT = 10  # seconds, for each request and each start-up
USER = {"user": "test"}
NOT_FRESH = {"detail": "PASETO access token is not fresh"}
WRONG_TYPE = {"detail": "Access token required but refresh provided"}

# k4.local.YW4tZXhhbXBsZS1rZXktb2YtMzItYnl0ZXMtbG9uZyE holds these 32 bytes.
PASERK_BYTES = "an-example-key-of-32-bytes-long!"
PASERK = "k4.local." + base64.urlsafe_b64encode(PASERK_BYTES.encode()).decode().rstrip("=")


def rows(tmp):
    """(name, example app env, fastapi-paseto env, negative): the same key on
    both sides, one row per line of the guide's table (docs/fastapi.md), plus the negative row."""
    password = secrets.token_urlsafe(24)  # 32 printable characters
    base64_secret = base64.b64encode(secrets.token_bytes(32)).decode()  # openssl rand -base64 32
    hex_secret = secrets.token_hex(32)
    private, public = ed25519_pem(tmp)
    no_kid = {"PASETO_KID_FOOTER": "false"}
    return [
        ("32 printable characters", {"PASETO_SECRET_KEY": password, **no_kid},
         {"AUTHPASETO_SECRET_KEY": password}, False),
        ("k4.local PASERK", {"PASETO_SECRET_KEY": PASERK, **no_kid},
         {"AUTHPASETO_SECRET_KEY": PASERK_BYTES}, False),
        ("openssl rand -base64 32 (44 chars)", {"PASETO_SECRET_KEY": base64_secret},
         {"AUTHPASETO_SECRET_KEY": base64_secret}, False),
        ("secrets.token_hex(32) (64 chars)", {"PASETO_SECRET_KEY": hex_secret},
         {"AUTHPASETO_SECRET_KEY": hex_secret}, False),
        ('"secret"', {"PASETO_SECRET_KEY": "secret", "PASETO_ALLOW_WEAK_SECRET": "1"},
         {"AUTHPASETO_SECRET_KEY": "secret"}, False),
        ("Ed25519 PEM, v4.public",
         {"PASETO_PURPOSE": "public", "PASETO_PRIVATE_KEY_FILE": str(private), **no_kid},
         # fastapi-paseto 0.7.1 ignores authpaseto_private_key_file: the contents.
         {"AUTHPASETO_PURPOSE": "public", "AUTHPASETO_PRIVATE_KEY": private.read_text(),
          "AUTHPASETO_PUBLIC_KEY": public.read_text()}, False),
        ("negative: 32 characters with the kid footer", {"PASETO_SECRET_KEY": password},
         {"AUTHPASETO_SECRET_KEY": password}, True),
    ]


def ed25519_pem(tmp):
    """A PKCS#8 private and an SPKI public PEM file, as openssl makes them."""
    private, public = tmp / "private.pem", tmp / "public.pem"
    openssl = ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)]
    subprocess.run(openssl, check=True, timeout=TIMEOUT, capture_output=True)
    openssl = ["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)]
    subprocess.run(openssl, check=True, timeout=TIMEOUT, capture_output=True)
    return private, public


class Failed(Exception):
    pass


class Server:
    """A process serving on 127.0.0.1:port, its output in a file, and what its
    answers to refused tokens look like."""

    def __init__(self, name, argv, env, cwd, ready_path, wrong_type_status, tmp):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ready_path = ready_path
        self.wrong_type_status = wrong_type_status
        self.log = open(tmp / f"{name}.log", "w+b")
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("PASETO_", "AUTHPASETO_", "REDIS_URL"))}
        argv = [str(a).replace("{port}", str(self.port)) for a in argv]
        env = {**clean, **env, "PORT": str(self.port)}
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"{self.name} exited with {self.process.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=1):
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        raise Failed(f"{self.name} did not answer within {TIMEOUT} s: {self.output()}")

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace").strip()[-2000:] or "(no output)"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(server, method, path, token=None, body=None):
    """(status, headers, parsed JSON body) of one request, as a client reads it."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    except OSError as error:
        raise Failed(f"{method} {server.name}{path}: {error}") from None
    text = raw.decode(errors="replace")
    if not (headers.get("Content-Type") or "").startswith("application/json"):
        raise Failed(f"{method} {server.name}{path}: {status} {headers.get('Content-Type')} {text!r}")
    try:
        return status, headers, json.loads(text)
    except ValueError:
        raise Failed(f"{method} {server.name}{path}: {status}, not JSON: {text!r}") from None


def expect(server, method, path, status, body, token=None, request_body=None, keys=None):
    """Calls and checks the status and the body: equal to `body`, or, when `keys`
    is given, an object of exactly those keys holding non-empty strings."""
    got_status, headers, got = call(server, method, path, token, request_body)
    if keys is not None:
        ok = isinstance(got, dict) and set(got) == set(keys) and all(
            isinstance(got[k], str) and got[k] for k in keys)
    else:
        ok = got == body
    if got_status != status or not ok:
        wanted = body if keys is None else f"keys {sorted(keys)}"
        raise Failed(f"{method} {server.name}{path}: {got_status} {got}, expected {status} {wanted}")
    return got, headers


def expect_wrong_type(server, refresh):
    """`server`'s /protected refuses a refresh token."""
    _, headers = expect(server, "GET", "/protected", server.wrong_type_status, WRONG_TYPE, refresh)
    if server.wrong_type_status == 401:
        challenge = headers.get("WWW-Authenticate") or ""
        if "invalid_token" not in challenge:
            raise Failed(f"GET {server.name}/protected with a refresh token: "
                         f"www-authenticate {challenge!r}, expected invalid_token")


def direction(a, b):
    """Tokens A issues, used at B."""
    login = {"username": "test", "password": "test"}
    tokens, _ = expect(a, "POST", "/login", 200, None, request_body=login,
                       keys=["access_token", "refresh_token"])
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    expect(b, "GET", "/protected", 200, USER, access)
    expect(b, "GET", "/protected-fresh", 200, USER, access)
    refreshed, _ = expect(b, "POST", "/refresh", 200, None, refresh, keys=["access_token"])
    for server in (b, a):
        expect(server, "GET", "/protected", 200, USER, refreshed["access_token"])
        expect(server, "GET", "/protected-fresh", 401, NOT_FRESH, refreshed["access_token"])
    expect_wrong_type(b, refresh)


def kid_footer_refused(rust, fastapi):
    """fastapi-paseto refuses the example app's token with a `kid` footer (it
    takes only tokens of exactly three parts), while the example app still
    takes fastapi-paseto's tokens, which have no `kid`."""
    login = {"username": "test", "password": "test"}
    tokens, _ = expect(rust, "POST", "/login", 200, None, request_body=login,
                       keys=["access_token", "refresh_token"])
    if tokens["access_token"].count(".") != 3:
        raise Failed(f"the example app's token has no footer: {tokens['access_token'][:40]}...")
    expect(fastapi, "GET", "/protected", 422, {"detail": "Invalid PASETO format"},
           tokens["access_token"])
    tokens, _ = expect(fastapi, "POST", "/login", 200, None, request_body=login,
                       keys=["access_token", "refresh_token"])
    expect(rust, "GET", "/protected", 200, USER, tokens["access_token"])


def run_row(row, app, uvicorn, tmp):
    name, rust_env, fastapi_env, negative = row
    servers = []
    try:
        fastapi = Server("fastapi-paseto", [uvicorn, "fastapi_app:app", "--host", "127.0.0.1",
                                            "--port", "{port}", "--log-level", "warning"],
                         fastapi_env, HERE, "/openapi.json", 422, tmp)
        servers.append(fastapi)
        rust = Server("example-app", [app], {"RUST_LOG": "warn", **rust_env}, ROOT,
                      "/health", 401, tmp)
        servers.append(rust)
        for server in servers:
            server.wait_ready()
        if negative:
            checks = [("kid footer", kid_footer_refused, (rust, fastapi))]
        else:
            checks = [("fastapi-paseto -> example-app", direction, (fastapi, rust)),
                      ("example-app -> fastapi-paseto", direction, (rust, fastapi))]
        failures = []
        for label, check, args in checks:
            try:
                check(*args)
            except Failed as failure:
                failures.append(f"{label}: {failure}")
        if failures:
            for server in servers:
                print(f"  {name}: {server.name} output: {server.output()}", file=sys.stderr)
        return failures
    except Failed as failure:
        return [str(failure)]
    finally:
        for server in servers:
            server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", nargs="?", default=os.environ.get(
        "EXAMPLE_APP", ROOT / "target" / "debug" / "example-app"),
        help="the example app binary")
    parser.add_argument("--venv", default=ROOT / "target" / "seed" / "venv",
                        help="the venv with fastapi-paseto and uvicorn")
    args = parser.parse_args()
    app = Path(args.app).resolve()
    uvicorn = Path(args.venv).resolve() / "bin" / "uvicorn"
    for path in (app, uvicorn):
        if not os.access(path, os.X_OK):
            sys.exit(f"not found or not executable: {path}")

    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="fastapi-interop-") as tmp:
        tmp = Path(tmp)
        for row in rows(tmp):
            failures = run_row(row, app, uvicorn, tmp)
            if failures:
                failed += 1
                print(f"FAIL {row[0]}: " + "; ".join(failures), flush=True)
            else:
                passed += 1
                print(f"ok   {row[0]}", flush=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
