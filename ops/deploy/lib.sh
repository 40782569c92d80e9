# Shared by deploy.sh, rollback.sh and smoke-test.sh (source it).
# Blue-green on one host: two colors of parleyd containers on loopback
# ports, nginx in front on PROXY_PORT; the state (which color serves, which
# image each ran) lives in STATE_DIR.
ENGINE=${ENGINE:-$(command -v podman || command -v docker)}
STATE_DIR=${STATE_DIR:-/var/lib/parley-deploy}
PROXY_PORT=${PROXY_PORT:-8088}
ENV_FILE=${ENV_FILE:-}
READY_TIMEOUT=${READY_TIMEOUT:-60}   # seconds for a new color to become ready
DRAIN_SECONDS=${DRAIN_SECONDS:-20}   # the old color's time to finish replies
mkdir -p "$STATE_DIR"

# Ports on loopback: voice and ops per color.
voice_port() { [ "$1" = blue ] && echo "${BLUE_VOICE_PORT:-18180}" || echo "${GREEN_VOICE_PORT:-18280}"; }
ops_port() { [ "$1" = blue ] && echo "${BLUE_OPS_PORT:-18190}" || echo "${GREEN_OPS_PORT:-18290}"; }
other() { [ "$1" = blue ] && echo green || echo blue; }
active() { cat "$STATE_DIR/active" 2>/dev/null || true; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
say() { echo "[$(date -u +%H:%M:%S)] $*"; }

# start_color COLOR IMAGE: a fresh container of IMAGE as COLOR.
start_color() {
  local color=$1 image=$2 env_args=()
  [ -n "$ENV_FILE" ] && env_args=(--env-file "$ENV_FILE")
  "$ENGINE" rm -f "parley-$color" >/dev/null 2>&1 || true
  "$ENGINE" run -d --name "parley-$color" "${env_args[@]}" \
    -e PARLEY_DRAIN_SECONDS="$DRAIN_SECONDS" \
    -p "127.0.0.1:$(voice_port "$color"):8080" -p "127.0.0.1:$(ops_port "$color"):9090" \
    "$image" >/dev/null
}

# wait_ready COLOR: until its /readyz answers 200, or READY_TIMEOUT passes.
wait_ready() {
  local deadline=$(($(date +%s) + READY_TIMEOUT))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    curl -sf -o /dev/null "http://127.0.0.1:$(ops_port "$1")/readyz" && return 0
    # A container that exited (a refused configuration, say) will not be.
    [ "$("$ENGINE" inspect -f '{{.State.Running}}' "parley-$1" 2>/dev/null)" = true ] || return 1
    sleep 0.2
  done
  return 1
}

nginx_conf() {
  cat <<CONF
worker_processes 1;
pid $STATE_DIR/nginx.pid;
error_log $STATE_DIR/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $STATE_DIR/nginx-tmp;
  proxy_temp_path $STATE_DIR/nginx-tmp;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  include $STATE_DIR/upstream.conf;
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://parley_voice;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_read_timeout 3600s;
      proxy_buffering off;
      tcp_nodelay on;
    }
  }
}
CONF
}

# switch_proxy COLOR: nginx sends new connections to COLOR; connections
# already open stay where they are until that color drains.
switch_proxy() {
  echo "upstream parley_voice { server 127.0.0.1:$(voice_port "$1"); }" >"$STATE_DIR/upstream.conf"
  mkdir -p "$STATE_DIR/nginx-tmp"
  if [ -s "$STATE_DIR/nginx.pid" ] && kill -0 "$(cat "$STATE_DIR/nginx.pid")" 2>/dev/null; then
    nginx -q -c "$STATE_DIR/nginx.conf" -s reload
  else
    nginx_conf >"$STATE_DIR/nginx.conf"
    nginx -q -c "$STATE_DIR/nginx.conf"
  fi
  echo "$1" >"$STATE_DIR/active"
}

stop_proxy() {
  [ -s "$STATE_DIR/nginx.pid" ] && nginx -q -c "$STATE_DIR/nginx.conf" -s quit 2>/dev/null || true
}

# drain_color COLOR: SIGTERM; parleyd finishes replies in progress, then exits.
drain_color() {
  "$ENGINE" stop -t $((DRAIN_SECONDS + 5)) "parley-$1" >/dev/null 2>&1 || true
}
