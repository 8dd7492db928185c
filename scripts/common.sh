# Helpers the measurement scripts share; sourced, never run.

# Installs the Debian packages named after each missing command:
#   need wrk wrk redis-server redis-server
need() {
    local missing=()
    while [ "$#" -ge 2 ]; do
        command -v "$1" >/dev/null 2>&1 || missing+=("$2")
        shift 2
    done
    [ "${#missing[@]}" -eq 0 ] && return
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "not found: ${missing[*]}; installing with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# A free TCP port on the loopback interface.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until `url` answers, for ten seconds at most.
wait_for() {
    for _ in $(seq 100); do
        curl -sf "$1" >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

# Waits until the redis-server on `port` answers, for five seconds at most.
wait_for_redis() {
    for _ in $(seq 100); do
        redis-cli -p "$1" ping >/dev/null 2>&1 && return
        sleep 0.05
    done
    echo "no answer from redis-server on port $1" >&2
    return 1
}

# Makes the venv `$1` with fastapi-paseto and what its example app
# (tests/interop/fastapi_app.py) needs, pinned to the versions measured, unless
# `$1/bin/uvicorn` exists already.
fastapi_venv() {
    local venv="$1"
    [ -x "$venv/bin/uvicorn" ] && [ -x "$venv/bin/openapi-spec-validator" ] && return
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q fastapi-paseto==0.7.1 fastapi==0.165.0 pyseto==1.10.0 \
        pydantic==2.14.4 starlette==1.10.0 "uvicorn[standard]==0.54.0" \
        openapi-spec-validator==0.9.0
}

# The key the scripts' example app instances share.
export EXAMPLE_KEY="k4.local.YW4tZXhhbXBsZS1rZXktb2YtMzItYnl0ZXMtbG9uZyE"

# Logs in as test/test at the app on `port` and prints the access token.
access_token() {
    curl -sf -X POST "http://127.0.0.1:$1/login" -H 'content-type: application/json' \
        -d '{"username":"test","password":"test"}' |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# One wrk run; prints "req/s p50 p99 non2xx". Arguments go to wrk.
wrk_run() {
    local out rps p50 p99 non2xx
    out=$(wrk --latency "$@")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
    echo "$rps $p50 $p99 ${non2xx:-0}"
}
