#!/usr/bin/env bash
# The neutral benchmark's method (issue #18: onthebench.ai / GetBusbar) on this machine, against
# bench/run's canned upstream: direct (the upstream itself), nginx as a plain reverse proxy,
# Switchyard (threads: 1, records in SQLite) and Portkey's open-source gateway (Node).
#   a. what each adds to p50 and p99 at concurrency 1 over direct (wrk -c1; everything on core 0,
#      because on this VM a wake-up across cores costs ~35 us a hop: see bench/run);
#   b. the throughput frontier: the highest constant rate whose p99 stays under 1, 5, 10, 50 and
#      100 ms with no failures, found by rates rising x1.25 a step (open loop: bench/rate_load,
#      latency counted from each request's due time); the proxy on core 1, load and upstream on core 0;
#   c. translation lanes through Switchyard: Anthropic Messages in, the Responses API passed through
#      and translated, each beside chat completions passed through.
# BENCH_DURATION (default 5s) is each wrk figure's length; a frontier step lasts the lesser of it
# and 3 s, after 0.5 s at the same rate. Runs in ~5 minutes by default.
#   BIN=build/switchyard RATE_LOAD=build/bench/rate_load bash bench/neutral.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RATE_LOAD=${RATE_LOAD:-$PWD/build/bench/rate_load}
DURATION=${BENCH_DURATION:-5s}
STEP_S=$(awk -v d="${DURATION%s}" 'BEGIN { print (d < 3 ? d : 3) }')
UP=18201 NGX=18202 SY=18203 PK=18204
require_free_ports $UP $NGX $SY $PK

start_upstream $UP
start_nginx_proxy $NGX $UP
cat > "$WORK/switchyard.yaml" <<CONF
listen: 127.0.0.1:$SY
threads: 1
storage: sqlite:$WORK/records.db
providers:
  up: {type: openai, base_url: 'http://127.0.0.1:$UP/v1', api_key: bench-key}
  upr: {type: openai, base_url: 'http://127.0.0.1:$UP/v1', api_key: bench-key, responses_api: true}
CONF
start_gateway switchyard "$WORK/switchyard.yaml" 1
SY_PID=$GATEWAY_PID
PORTKEY=
if [[ -d bench/peers/node_modules ]]; then
  start_portkey $PK
  PORTKEY=yes
  mapfile -t PK_HEADERS < <(portkey_headers $UP)
else
  echo "note: Portkey skipped (bench/peers/node_modules is missing: npm ci --prefix bench/peers)"
fi

# Request bodies, each as a file (for rate_load and curl) and a wrk script.
PROMPT='Summarise the quarterly report in three bullet points.'
body() {  # $1 name, $2 body (no single quotes)
  printf '%s' "$2" > "$WORK/$1.json"
  printf 'wrk.method = "POST"\nwrk.body = '"'"'%s'"'"'\nwrk.headers["Content-Type"] = "application/json"\n' "$2" > "$WORK/$1.lua"
}
body chat '{"model":"up/canned","messages":[{"role":"user","content":"'"$PROMPT"'"}]}'
body messages '{"model":"up/canned","max_tokens":256,"messages":[{"role":"user","content":"'"$PROMPT"'"}]}'
body responses_passed '{"model":"upr/canned","store":false,"input":"'"$PROMPT"'"}'
body responses_translated '{"model":"up/canned","store":false,"input":"'"$PROMPT"'"}'

# Fails the run unless URL answers BODY with 200 and a body containing SHAPE.
# $1 URL, $2 body name, $3 shape, then "Name: value" headers.
check() {
  local url=$1 name=$2 shape=$3 args=() answer
  shift 3
  for h in "$@"; do args+=(-H "$h"); done
  answer=$(curl -s -w '\n%{http_code}' "${args[@]}" -H 'Content-Type: application/json' --data-binary "@$WORK/$name.json" "$url")
  if [[ "${answer##*$'\n'}" != 200 || "$answer" != *"$shape"* ]]; then
    echo "bench: $url answered $name with: $answer" >&2
    exit 1
  fi
}
wrk_headers() { for h in "$@"; do printf '%s\0%s\0' -H "$h"; done; }

# "<p50 us> <p99 us>" at 1 connection, everything on core 0. $1 the proxy's pid ("" for none),
# $2 URL, $3 body name, then headers.
latency_at_1() {
  local pid=$1 url=$2 name=$3 args=()
  shift 3
  mapfile -d '' -t args < <(wrk_headers "$@")
  pin "$pid" 0
  taskset -c 0 wrk -t1 -c1 -d1s -s "$WORK/$name.lua" "${args[@]}" "$url" > /dev/null
  taskset -c 0 wrk -t1 -c1 -d"$DURATION" --latency -s "$WORK/$name.lua" "${args[@]}" "$url" > "$WORK/wrk1.txt"
  pin "$pid" 1
  if grep -q "Non-2xx" "$WORK/wrk1.txt"; then echo "bench: $url failed at 1 connection:" >&2; cat "$WORK/wrk1.txt" >&2; exit 1; fi
  awk 'function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return (v+0)*1000; return (v+0)*1000000 }
       $1=="50%" {p50=us($2)} $1=="99%" {p99=us($2)} END {print p50, p99}' "$WORK/wrk1.txt"
}

# Requests/s at 32 connections, the proxy on core 1. $1 URL, $2 body name, then headers.
rps_at_32() {
  local url=$1 name=$2 args=()
  shift 2
  mapfile -d '' -t args < <(wrk_headers "$@")
  taskset -c 0 wrk -t1 -c32 -d2s -s "$WORK/$name.lua" "${args[@]}" "$url" > /dev/null
  taskset -c 0 wrk -t1 -c32 -d"$DURATION" -s "$WORK/$name.lua" "${args[@]}" "$url" > "$WORK/wrk32.txt"
  if grep -q "Non-2xx" "$WORK/wrk32.txt"; then echo "bench: $url failed at 32 connections:" >&2; cat "$WORK/wrk32.txt" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' "$WORK/wrk32.txt"
}

check "http://127.0.0.1:$UP/v1/chat/completions" chat '"chat.completion"'
check "http://127.0.0.1:$NGX/v1/chat/completions" chat '"chat.completion"'
check "http://127.0.0.1:$SY/v1/chat/completions" chat '"chat.completion"'
[[ -z "$PORTKEY" ]] || check "http://127.0.0.1:$PK/v1/chat/completions" chat '"chat.completion"' "${PK_HEADERS[@]}"
check "http://127.0.0.1:$SY/v1/messages" messages '"type":"message"'
check "http://127.0.0.1:$SY/v1/responses" responses_passed '"object":"response"'
check "http://127.0.0.1:$SY/v1/responses" responses_translated '"object":"response"'

echo "== a. Added latency at concurrency 1 over direct: non-streaming chat completions (wrk -c1, $DURATION each, all on core 0) =="
# (Figures are taken by assignment, not read from <(...), so that a failed run stops the script.)
direct=$(latency_at_1 "" "http://127.0.0.1:$UP/v1/chat/completions" chat)
nginx=$(latency_at_1 "$NGINX_PID" "http://127.0.0.1:$NGX/v1/chat/completions" chat)
switchyard=$(latency_at_1 "$SY_PID" "http://127.0.0.1:$SY/v1/chat/completions" chat)
portkey="- -"
[[ -z "$PORTKEY" ]] || portkey=$(latency_at_1 "$PORTKEY_PID" "http://127.0.0.1:$PK/v1/chat/completions" chat "${PK_HEADERS[@]}")
awk -v d="$direct" -v n="$nginx" -v s="$switchyard" -v p="$portkey" 'BEGIN {
  split(d, D); split(n, N); split(s, S); split(p, P)
  printf "%-22s %10s %10s %12s %12s\n", "target", "p50 (us)", "p99 (us)", "added p50", "added p99"
  printf "%-22s %10.0f %10.0f %12s %12s\n", "direct (upstream)", D[1], D[2], "", ""
  printf "%-22s %10.0f %10.0f %12.0f %12.0f\n", "nginx proxy", N[1], N[2], N[1] - D[1], N[2] - D[2]
  printf "%-22s %10.0f %10.0f %12.0f %12.0f\n", "switchyard threads:1", S[1], S[2], S[1] - D[1], S[2] - D[2]
  if (P[1] != "-") printf "%-22s %10.0f %10.0f %12.0f %12.0f\n", "portkey gateway", P[1], P[2], P[1] - D[1], P[2] - D[2]
  printf "switchyard added at c=1: p50 %.0f us (target <= 25 us), p99 %.0f us (target <= 60 us)\n", S[1] - D[1], S[2] - D[2]
}'

# The frontier of one target: prints "<label> <best rate under 1 ms> ... <under 100 ms>" (0: none)
# and appends its steps ("rate:p99 ms") to $WORK/steps. $1 label, $2 port, $3 first rate, then headers.
LIMITS_US=(1000 5000 10000 50000 100000)
frontier() {
  local label=$1 port=$2 rate=$3 args=() best=(0 0 0 0 0) line failed p99 steps=""
  shift 3
  for h in "$@"; do args+=(--header "$h"); done
  while :; do
    line=$(taskset -c 0 "$RATE_LOAD" --port "$port" --path /v1/chat/completions --body-file "$WORK/chat.json" \
      --rate "$rate" --duration-s "$STEP_S" --warmup-s 0.5 --connections 256 "${args[@]}")
    failed=$(grep -o 'failed=[0-9]*' <<< "$line" | cut -d= -f2)
    p99=$(grep -o 'p99_us=[0-9]*' <<< "$line" | cut -d= -f2)
    if (( failed > 0 )); then
      steps+=" $rate:failed($failed)"
      break
    fi
    steps+=" $rate:$(awk -v p="$p99" 'BEGIN { printf "%.2f", p / 1000 }')"
    for i in "${!LIMITS_US[@]}"; do
      if (( p99 < LIMITS_US[i] )); then best[i]=$rate; fi
    done
    (( p99 <= LIMITS_US[-1] )) || break
    rate=$(awk -v r="$rate" 'BEGIN { printf "%d", r * 1.25 + 0.5 }')
  done
  echo "$label${steps}" >> "$WORK/steps"
  echo "$label ${best[*]}"
}

echo
echo "== b. Throughput frontier: the highest rate (req/s) whose p99 stays under each bound with no failures =="
echo "   (bench/rate_load: open loop, x1.25 a step, ${STEP_S} s a step after 0.5 s; the proxy on core 1, load and upstream on core 0)"
{
  frontier direct $UP 1000
  frontier nginx $NGX 1000
  frontier switchyard $SY 1000
  [[ -z "$PORTKEY" ]] || frontier portkey $PK 50 "${PK_HEADERS[@]}"
} > "$WORK/frontier"
awk 'BEGIN { printf "%-12s %9s %9s %9s %9s %9s\n", "target", "p99<1ms", "p99<5ms", "p99<10ms", "p99<50ms", "p99<100ms" }
     { printf "%-12s", $1; for (i = 2; i <= 6; ++i) printf " %9s", ($i > 0 ? $i : "-"); printf "\n"; r[$1] = $6 }
     END { if (r["nginx"] > 0) printf "switchyard / nginx at p99 < 100 ms: %.2fx (no target: nginx is the reference)\n", r["switchyard"] / r["nginx"] }' \
  "$WORK/frontier"
echo "steps (req/s:p99 ms):"
sed 's/^/  /' "$WORK/steps"

echo
echo "== c. Translation lanes through Switchyard threads:1 (req/s at 32 connections on core 1; p50/p99 at 1, all on core 0) =="
lane() {  # $1 label, $2 path, $3 body name
  local rps latency
  rps=$(rps_at_32 "http://127.0.0.1:$SY$2" "$3")
  latency=$(latency_at_1 "$SY_PID" "http://127.0.0.1:$SY$2" "$3")
  echo "$1|$rps|${latency% *}|${latency#* }"
}
{
  lane "chat completions, passed through" /v1/chat/completions chat
  lane "messages, translated to chat" /v1/messages messages
  lane "responses, passed through" /v1/responses responses_passed
  lane "responses, translated to chat" /v1/responses responses_translated
} > "$WORK/lanes"
awk -F'|' 'BEGIN { printf "%-36s %10s %10s %10s %9s\n", "", "req/s @32", "p50 @1", "p99 @1", "vs chat" }
  NR == 1 { chat = $2 }
  { printf "%-36s %10.0f %10.0f %10.0f %8.2fx\n", $1, $2, $3, $4, $2 / chat }' "$WORK/lanes"
