# Shared set-up for the benchmark scripts (sourced, not run): processes started here are killed
# and the work directory removed when the sourcing script exits.
#   BIN            the gateway binary (build/switchyard)
#   WORK           a fresh directory under /tmp for configs, logs and databases
#   start_upstream PORT            the canned upstream (nginx answering fixed bodies), on core 0
#   start_nginx_proxy PORT UP      nginx as a plain reverse proxy to 127.0.0.1:UP, on core 1
#   start_portkey PORT             Portkey's open-source gateway (Node), on core 1
#   start_gateway NAME YAML CORES  a Switchyard with config file YAML pinned to CORES; sets GATEWAY_PID
#   start_sim PORT                 the provider simulator, on core 0
#   wait_port PORT, pin PID CORES, rss_kb PID, peak_rss_kb PID, require_free_ports PORT...
BIN=${BIN:-$PWD/build/switchyard}
WORK=$(mktemp -d /tmp/switchyard-bench.XXXX)
PIDS=()
bench_cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap bench_cleanup EXIT

require_free_ports() {
  for port in "$@"; do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then echo "bench: port $port is taken" >&2; exit 1; fi
  done
}

wait_port() {
  for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: nothing listens on $1" >&2
  exit 1
}

# Moves a process (and its children, such as nginx's worker) to other cores.
pin() {
  [[ -n "$1" ]] || return 0
  for p in "$1" $(pgrep -P "$1"); do taskset -apc "$2" "$p" > /dev/null; done
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
peak_rss_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

CANNED='{"id":"chatcmpl-canned","object":"chat.completion","created":1700000000,"model":"canned","choices":[{"index":0,"message":{"role":"assistant","content":"The gateway routes every request to a healthy model, counts each token and every dollar.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":18,"total_tokens":30},"system_fingerprint":"fp_canned"}'
FAILED='{"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}'
CANNED_RESPONSE='{"id":"resp_canned","object":"response","created_at":1700000000,"status":"completed","completed_at":1700000000,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"max_tool_calls":null,"model":"canned","output":[{"type":"message","id":"msg_canned","status":"completed","role":"assistant","content":[{"type":"output_text","text":"The gateway routes every request to a healthy model, counts each token and every dollar.","annotations":[],"logprobs":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1,"truncation":"disabled","presence_penalty":0,"frequency_penalty":0,"top_logprobs":0,"background":false,"service_tier":"default","metadata":{},"safety_identifier":null,"prompt_cache_key":null,"usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":0},"output_tokens":18,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":30}}'

# $1 name (a directory under $WORK), $2 the http block's contents.
nginx_conf() {
  mkdir -p "$WORK/$1"
  cat > "$WORK/$1/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log warn;
events { worker_connections 16384; }
worker_rlimit_nofile 65536;
http {
  access_log off;
  client_body_temp_path $WORK/$1; proxy_temp_path $WORK/$1; fastcgi_temp_path $WORK/$1;
  uwsgi_temp_path $WORK/$1; scgi_temp_path $WORK/$1;
  keepalive_requests 10000000;
  $2
}
CONF
}

# The canned upstream: a fixed chat completion on every path, a 503 under /failing/, a fixed
# Responses answer at /v1/responses.
start_upstream() {
  nginx_conf "upstream-$1" "server { listen 127.0.0.1:$1 backlog=4096; default_type application/json;
    location / { return 200 '$CANNED'; } location /failing/ { return 503 '$FAILED'; }
    location = /v1/responses { return 200 '$CANNED_RESPONSE'; } }"
  taskset -c 0 nginx -e "$WORK/upstream-$1/error.log" -p "$WORK/upstream-$1" -c "$WORK/upstream-$1/nginx.conf" &
  PIDS+=($!)
  wait_port "$1"
}

# nginx as a plain reverse proxy with upstream keep-alive; sets NGINX_PID.
start_nginx_proxy() {
  nginx_conf "proxy-$1" "upstream up { server 127.0.0.1:$2; keepalive 128; }
    server { listen 127.0.0.1:$1 backlog=4096;
      location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  taskset -c 1 nginx -e "$WORK/proxy-$1/error.log" -p "$WORK/proxy-$1" -c "$WORK/proxy-$1/nginx.conf" &
  NGINX_PID=$!
  PIDS+=($!)
  wait_port "$1"
}

# Portkey's gateway; sets PORTKEY_PID. Requests to it need PORTKEY_HEADERS (wrk -H form) for UP.
start_portkey() {
  NODE_ENV=production taskset -c 1 node bench/peers/node_modules/@portkey-ai/gateway/build/start-server.js \
    --port="$1" --headless > "$WORK/portkey-$1.log" 2>&1 &
  PORTKEY_PID=$!
  PIDS+=($!)
  wait_port "$1"
}
portkey_headers() {  # $1: the upstream's port; prints one header per line
  printf '%s\n' "x-portkey-provider: openai" "x-portkey-custom-host: http://127.0.0.1:$1/v1" "Authorization: Bearer bench-key"
}

# $1 name, $2 config file, $3 cores; sets GATEWAY_PID. The config's listen port must be free.
start_gateway() {
  local port
  port=$(awk -F: '/^listen:/ {print $NF; exit}' "$2")
  taskset -c "$3" "$BIN" serve --config "$2" > "$WORK/$1.log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=($!)
  wait_port "$port"
}

start_sim() {
  taskset -c 0 "$BIN" sim --listen "127.0.0.1:$1" --threads 1 > "$WORK/sim-$1.log" 2>&1 &
  PIDS+=($!)
  wait_port "$1"
}
