#!/usr/bin/env bash
# Where the time goes, repeatably: the gateway's instructions per request and per streamed chunk,
# counted by callgrind (valgrind), which a noisy machine does not change, unlike wall-clock figures.
#   a. a non-streaming chat completion (canned upstream), Switchyard with SQLite records: the
#      event loop's thread and all threads, per request, after a warm-up;
#   b. a streamed chat completion of 64 chunks (the simulator), the event loop's thread per chunk.
# The top functions (inclusive) of each are printed; CALLGRIND_KEEP=dir keeps the profiles for
# callgrind_annotate. Runnable alone: bash bench/instructions.sh (about 2 minutes). Ports 18241-18243.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
STREAM_LOAD=${STREAM_LOAD:-$PWD/build/bench/stream_load}
TOP=${TOP:-25}

UP=18241 SY=18242 SIM=18243
require_free_ports $UP $SY $SIM
start_upstream $UP
start_sim $SIM

cat > "$WORK/post.lua" << 'LUA'
wrk.method = "POST"
wrk.body = '{"model":"up/canned","messages":[{"role":"user","content":"Summarise the quarterly report in three bullet points."}]}'
wrk.headers["Content-Type"] = "application/json"
LUA
cat > "$WORK/gateway.yaml" << CONF
listen: 127.0.0.1:$SY
threads: 1
storage: sqlite:$WORK/records.db
providers:
  up: {type: openai, base_url: 'http://127.0.0.1:$UP/v1', api_key: bench-key}
  sim: {type: openai, base_url: 'http://127.0.0.1:$SIM/openai/v1', api_key: bench-key}
CONF

# Starts the gateway under callgrind (one file per thread) on core 1; sets CG_PID.
start_profiled() {
  taskset -c 1 valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$WORK/$1.out" \
    "$BIN" serve --config "$WORK/gateway.yaml" > "$WORK/$1.log" 2>&1 &
  CG_PID=$!
  PIDS+=($!)
  for _ in $(seq 300); do (exec 3<> /dev/tcp/127.0.0.1/$SY) 2> /dev/null && return 0; sleep 0.1; done
  echo "bench: the profiled gateway did not start" >&2
  exit 1
}
# $1: name; dumps the counts since the last zeroing and stops the gateway.
stop_profiled() {
  callgrind_control -d "$CG_PID" > /dev/null
  sleep 1
  kill "$CG_PID"
  wait "$CG_PID" 2> /dev/null || true
}
thread_total() { grep -m1 '^summary:\|^totals:' "$1" | awk '{print $2}'; }
loop_thread_file() {  # the dump of the event loop's thread (the one running HttpServer::start)
  grep -l 'HttpServer::start' "$WORK/$1".out.1-* | awk 'NR == 1'
}
# $1: profile, $2: divisor; the top functions by inclusive instructions, per unit.
top_functions() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2> /dev/null | grep -E 'switchyard::|simdjson|beast::http::basic_parser' |
    sed -E -e 's/^ *([0-9,]+) \( *[0-9.]+%\) +/\1 /' -e 's/\?\?\?://' -e 's/\(anonymous namespace\):://g' |
    awk -v n="$2" -v top="$TOP" '{ x = $1; gsub(",", "", x); name = substr($0, length($1) + 2); sub(/\(.*/, "", name)
      if (!seen[name]++ && shown++ < top) printf "   %8.0f  %s\n", x / n, name }'
}

echo "== a. instructions per non-streaming request (wrk, 4 connections, 8 s under callgrind) =="
start_profiled request
taskset -c 0 wrk -t1 -c4 -d3s -s "$WORK/post.lua" "http://127.0.0.1:$SY/v1/chat/completions" > /dev/null
callgrind_control -z "$CG_PID" > /dev/null
requests=$(taskset -c 0 wrk -t1 -c4 -d8s -s "$WORK/post.lua" "http://127.0.0.1:$SY/v1/chat/completions" | awk '/requests in/ {print $1}')
stop_profiled request
loop=$(loop_thread_file request)
all=0
for f in "$WORK"/request.out.1-*; do all=$((all + $(thread_total "$f"))); done
echo "requests: $requests; event loop thread: $(($(thread_total "$loop") / requests)) a request; all threads: $((all / requests))"
echo "   (all threads include the record writer's share and time-driven work such as the store poll)"
top_functions "$loop" "$requests"

echo
echo "== b. instructions per streamed chunk (200 streams of 64 chunks, 20 ms apart, from the simulator) =="
start_profiled stream
# stream_load exits non-zero when a stream fails: the figures are still counted, and shown.
taskset -c 0 "$STREAM_LOAD" --port $SY --model 'sim/lorem~len=64~ttft=0~delay=20' --streams 50 --ramp-ms 500 > "$WORK/warm.txt" || true
callgrind_control -z "$CG_PID" > /dev/null
taskset -c 0 "$STREAM_LOAD" --port $SY --model 'sim/lorem~len=64~ttft=0~delay=20' --streams 200 --ramp-ms 2000 > "$WORK/stream.txt" || true
grep '^target:' "$WORK/stream.txt" | sed 's/^target: */   the load: /'
stop_profiled stream
frames=$(awk '$1 == "target:" { for (i = 2; i <= NF; i++) if ($i ~ /^frames=/) { sub(/frames=/, "", $i); print $i } }' "$WORK/stream.txt")
loop=$(loop_thread_file stream)
echo "SSE frames relayed: $frames; event loop thread: $(($(thread_total "$loop") / frames)) a frame (stream set-up included)"
top_functions "$loop" "$frames"
if [[ -n "${CALLGRIND_KEEP:-}" ]]; then mkdir -p "$CALLGRIND_KEEP" && cp "$WORK"/*.out.* "$CALLGRIND_KEEP"/; fi
