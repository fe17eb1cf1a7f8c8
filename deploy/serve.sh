#!/usr/bin/env bash
# Serve the Classification Explorer to a whole class: N Streamlit processes behind nginx, sticky sessions.
#
#   deploy/serve.sh [--processes N] [--port P] [--address A]
#
#   --processes N  Streamlit processes, each on its own loopback port (default: the number of cores)
#   --port P       the port nginx listens on (default 8501); the processes take the first free ports after it
#   --address A    the address nginx listens on (default 127.0.0.1; 0.0.0.0 for the lecture hall's network)
#
# Stays in the foreground and prints the URL once every process answers /_stcore/health. A process that dies is
# started again on its port. SIGTERM or Ctrl-C stops everything it started. Its lines on stdout are stable:
#   serve.sh: backend I pid PID port PORT started | serve.sh: backend I pid PID port PORT exited (status S) …
#   serve.sh: nginx pid PID listening on ADDRESS:PORT | serve.sh: ready: URL
# The Python that runs Streamlit is $PYTHON, else the active virtual environment's, else the repository's .venv,
# else python3; nginx is $NGINX, else the one on PATH, else /usr/sbin/nginx (Debian's package).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
readonly here root
readonly health_timeout=180 restart_delay=2 stop_timeout=15

log() { printf 'serve.sh: %s\n' "$*"; }
die() { printf 'serve.sh: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }

processes=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
port=8501
address=127.0.0.1
while (($#)); do
    case $1 in
        --processes | --port | --address)
            (($# >= 2)) || die "$1 needs a value"
            declare "${1#--}=$2"
            shift 2
            ;;
        --processes=* | --port=* | --address=*)
            option=${1%%=*}
            declare "${option#--}=${1#*=}"
            shift
            ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
[[ $processes =~ ^[1-9][0-9]*$ ]] || die "--processes must be a positive number, not '$processes'"
if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port + processes > 65535)); then
    die "--port must be a port number (with room for $processes more after it), not '$port'"
fi
[[ -n $address ]] || die "--address must not be empty"

if [[ -n ${PYTHON:-} ]]; then
    python=$PYTHON
elif [[ -n ${VIRTUAL_ENV:-} && -x $VIRTUAL_ENV/bin/python ]]; then
    python=$VIRTUAL_ENV/bin/python
elif [[ -x $root/.venv/bin/python ]]; then
    python=$root/.venv/bin/python
else
    python=python3
fi
"$python" -c 'import streamlit' 2>/dev/null || die "$python cannot import streamlit: pip install -r requirements.txt"
export PYTHON=$python

# Training slots (runs at full speed at once) are counted per process; by default share the machine's 2 per core
# among the processes instead of giving each process all of them.
cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
export EXPLORER_TRAINING_SLOTS=${EXPLORER_TRAINING_SLOTS:-$(((2 * cores + processes - 1) / processes))}

nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[[ -x $nginx ]] || die "nginx not found (looked on PATH and at /usr/sbin/nginx): apt-get install nginx, or set NGINX"

# The first free loopback ports after the proxy's.
mapfile -t ports < <("$python" - "$port" "$processes" <<'EOF'
import socket, sys

start, wanted = int(sys.argv[1]), int(sys.argv[2])
for candidate in range(start + 1, 65536):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", candidate))
        except OSError:
            continue
    print(candidate)
    wanted -= 1
    if not wanted:
        break
EOF
)
((${#ports[@]} == processes)) || die "found only ${#ports[@]} free ports after $port"

runtime=$(mktemp -d "${TMPDIR:-/tmp}/explorer-serve.XXXXXX")
mkdir "$runtime/logs" "$runtime/temp"
# As root, nginx's workers run as an unprivileged user: they must get through to temp/ (nginx gives them its folders).
((EUID)) || chmod 711 "$runtime" "$runtime/temp"

declare -a pids=()
nginx_pid=""

stop() {
    trap '' TERM INT HUP
    local -a running
    mapfile -t running < <(jobs -p)
    if ((${#running[@]})); then
        kill -TERM "${running[@]}" 2>/dev/null || true
        local waited=0
        while kill -0 "${running[@]}" 2>/dev/null && ((waited++ < stop_timeout * 10)); do
            sleep 0.1
        done
        kill -KILL "${running[@]}" 2>/dev/null || true
        wait 2>/dev/null || true
    fi
    rm -rf "$runtime"
}
trap stop EXIT
trap 'log "stopping"; exit 0' TERM INT HUP

start_backend() {  # index
    local i=$1
    "$python" -m streamlit run app.py --server.headless true --server.address 127.0.0.1 --server.port "${ports[i]}" \
        >>"$runtime/logs/backend-${ports[i]}.log" 2>&1 &
    pids[i]=$!
    log "backend $((i + 1)) pid ${pids[i]} port ${ports[i]} started"
}

healthy() {  # host port: /_stcore/health answers 200
    (
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf 'GET /_stcore/health HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$1" "$2" >&3
        IFS= read -r -t 5 status <&3 && [[ $status == "HTTP/1."[01]" 200"* ]]
    ) 2>/dev/null
}

show_log() {  # file: its last lines, on stderr
    tail -n 20 "$1" | sed 's/^/    /' >&2
}

cd "$root"
backends=()
for i in "${!ports[@]}"; do
    backends+=("127.0.0.1:${ports[i]}")
    start_backend "$i"
done

"$here/nginx-conf.sh" "$address:$port" "${backends[@]}" >"$runtime/nginx.conf"
"$nginx" -g 'daemon off;' -c "$runtime/nginx.conf" -p "$runtime/" &
nginx_pid=$!
log "nginx pid $nginx_pid listening on $address:$port"

probe=$address
[[ $probe == 0.0.0.0 || $probe == "[::]" || $probe == "*" ]] && probe=127.0.0.1
deadline=$((SECONDS + health_timeout))
for i in "${!ports[@]}"; do
    until healthy 127.0.0.1 "${ports[i]}"; do
        kill -0 "${pids[i]}" 2>/dev/null || { show_log "$runtime/logs/backend-${ports[i]}.log"; die "backend $((i + 1)) exited while starting"; }
        ((SECONDS < deadline)) || die "backend $((i + 1)) did not answer /_stcore/health within ${health_timeout}s"
        sleep 0.5
    done
done
until healthy "${probe//[\[\]]/}" "$port"; do
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx exited while starting (see its messages above)"
    ((SECONDS < deadline)) || die "nginx did not answer on $address:$port within ${health_timeout}s"
    sleep 0.5
done
host=$address
[[ $probe != "$address" ]] && host=$(hostname)
log "ready: http://$host:$port ($processes Streamlit processes; logs in $runtime/logs)"

# Supervise: a backend that exits is started again; nginx exiting ends the whole stack.
while true; do
    status=0
    wait -n -p exited 2>/dev/null || status=$?  # (bash's own "Killed" notice: we say it below)
    [[ -n ${exited:-} ]] || continue
    if [[ $exited == "$nginx_pid" ]]; then
        die "nginx exited (status $status)"
    fi
    for i in "${!pids[@]}"; do
        if [[ ${pids[i]} == "$exited" ]]; then
            log "backend $((i + 1)) pid $exited port ${ports[i]} exited (status $status); restarting in ${restart_delay}s"
            show_log "$runtime/logs/backend-${ports[i]}.log"
            sleep "$restart_delay" & wait $! || true
            start_backend "$i"
        fi
    done
done
