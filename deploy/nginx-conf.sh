#!/usr/bin/env bash
# Print the nginx configuration for Streamlit processes behind one address, from nginx.conf.template.
#
#   deploy/nginx-conf.sh LISTEN BACKEND...      e.g.  deploy/nginx-conf.sh 127.0.0.1:8501 127.0.0.1:8502 127.0.0.1:8503
#
# LISTEN is nginx's listen address ([host:]port); each BACKEND is host:port of one Streamlit process, every one
# on its own port (the sticky cookie names a process by its port). client_max_body_size is Streamlit's own
# server.maxUploadSize, as `streamlit config show` (run with ${PYTHON:-python3} in the repository) reports it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if (($# < 2)); then
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}" >&2
    exit 2
fi
listen=$1
shift

declare -A seen=()
pool="" routes="" per_process=""
for backend in "$@"; do
    port=${backend##*:}
    if [[ $backend != *:* || ! $port =~ ^[0-9]+$ ]]; then
        echo "nginx-conf.sh: $backend is not host:port" >&2
        exit 2
    fi
    if [[ -n ${seen[$port]:-} ]]; then
        echo "nginx-conf.sh: two backends on port $port: the sticky cookie names a process by its port" >&2
        exit 2
    fi
    seen[$port]=1
    pool+="        server $backend max_fails=3 fail_timeout=10s;"$'\n'
    routes+="        $port explorer_$port;"$'\n'
done

for backend in "$@"; do
    port=${backend##*:}
    per_process+="    upstream explorer_$port {"$'\n'"        zone explorer_$port 64k;"$'\n'
    per_process+="        server $backend max_fails=3 fail_timeout=10s;"$'\n'
    for other in "$@"; do
        [[ $other == "$backend" ]] || per_process+="        server $other backup;"$'\n'
    done
    per_process+="    }"$'\n'
done

upstreams="    # A browser without the cookie: the process with the fewest open connections (websockets).
    upstream explorer_pool {
        zone explorer_pool 64k;
        least_conn;
${pool}    }

    # A browser with the cookie: its process, or while that one is down any other.
${per_process}
    map \$cookie_explorer_backend \$explorer_upstream {
        default explorer_pool;
${routes}    }"

# What `streamlit run` in the repository would use: its config files and STREAMLIT_SERVER_MAX_UPLOAD_SIZE.
# (`streamlit config show` prints a prose header, then TOML from the first [section] on.)
max_upload_mb=$(cd "$here/.." && "${PYTHON:-python3}" -m streamlit config show | "${PYTHON:-python3}" -c '
import sys, tomllib
text = sys.stdin.read()
print(int(tomllib.loads(text[text.index("\n[") + 1 :])["server"]["maxUploadSize"]))')

template=$(<"$here/nginx.conf.template")
template=${template//@LISTEN@/"$listen"}
template=${template//@MAX_UPLOAD_MB@/"$max_upload_mb"}
printf '%s\n' "${template//@UPSTREAMS@/"$upstreams"}"
