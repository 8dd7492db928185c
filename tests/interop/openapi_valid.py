"""The example app's OpenAPI document, checked by openapi-spec-validator.

Starts the example app on a free loopback port, reads /openapi.json and
validates it against the OpenAPI specification its `openapi` member names;
also checks that every operation says its security. Run with the venv's
Python, which has the validator (scripts/interop does).

    python openapi_valid.py EXAMPLE_APP
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from openapi_spec_validator import validate

KEY = "k4.local.YW4tZXhhbXBsZS1rZXktb2YtMzItYnl0ZXMtbG9uZyE"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def main():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PASETO_", "REDIS_"))}
    env.update(PORT=str(port), PASETO_SECRET_KEY=KEY, RUST_LOG="warn")
    app = subprocess.Popen([sys.argv[1]], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json",
                                            timeout=1) as answer:
                    document = json.load(answer)
                break
            except OSError:
                if time.monotonic() > deadline or app.poll() is not None:
                    sys.exit("the example app did not serve /openapi.json")
                time.sleep(0.05)
    finally:
        app.terminate()
        app.wait(timeout=5)
    validate(document)
    operations = [(method, path) for path, item in document["paths"].items()
                  for method in item if method in METHODS]
    unsaid = [f"{m.upper()} {p}" for m, p in operations
              if not isinstance(document["paths"][p][m].get("security"), list)]
    if unsaid:
        sys.exit(f"operations without a security member: {', '.join(unsaid)}")
    print(f"ok   OpenAPI {document['openapi']} document valid; "
          f"{len(operations)} operations, each saying its security")


if __name__ == "__main__":
    main()
