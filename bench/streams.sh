#!/usr/bin/env bash
# Streaming benchmarks through one Switchyard (threads: 1, storage: sqlite), each figure printed
# with its target, against the provider simulator (core 0, with the load generator):
#   a. STREAMS (10,000) concurrent slow streams: added time to first byte and inter-chunk gap,
#      streams lost, peak RSS; with the gateway on the load's core, then on the other core.
#   b. memory per idle keep-alive connection (IDLE_CONNECTIONS, 5,000).
#   c. the stream lane: 64 deltas paced 20 ms, concurrency stepped (LANE_STEPS, LANE_STEP_S
#      seconds each): added TTFT and inter-frame gap, late streams, and "streams sustained".
#   d. memory idle, steady under load, plateau or growth over BENCH_SOAK_S (600) seconds of
#      stream-lane load (RSS every 10 s, slope of the last half), and after the load ends.
# Every stream through the gateway is paired with one started at the same moment straight to the
# simulator ("direct"), so both see the same machine noise and the difference is what the gateway
# adds. Runnable alone (bash bench/streams.sh); bench/run calls it. Ports 18221-18240.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-$PWD/build/switchyard}
STREAM_LOAD=${STREAM_LOAD:-$PWD/build/bench/stream_load}
STREAMS=${STREAMS:-10000}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-5000}
LANE_STEPS=${LANE_STEPS:-100 500 1000 2000 5000 10000}
LANE_STEP_S=${LANE_STEP_S:-10}
BENCH_SOAK_S=${BENCH_SOAK_S:-600}
SOAK_SAMPLE_S=10
PLATEAU_MB_PER_MIN=0.5  # a last-half slope below this is a plateau
# shellcheck source=bench/lib.sh
source bench/lib.sh

SIM=18221 GW_SLOW=18222 GW_IDLE=18223 GW_LANE=18224 GW_SOAK=18225
require_free_ports $SIM $GW_SLOW $GW_IDLE $GW_LANE $GW_SOAK

# Each stream through the gateway holds two sockets there (client and upstream) and the paired
# load holds two, so 10,000 streams need more than 20,000 descriptors per process; the gateway and
# the simulator inherit this limit.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)
MAX_STREAMS=$(((FD_LIMIT - 100) / 2))
capped() {  # $1: a stream count; prints it, or the most this descriptor limit allows
  if (($1 > MAX_STREAMS)); then echo "$MAX_STREAMS"; else echo "$1"; fi
}
if ((STREAMS > MAX_STREAMS)); then
  echo "note: open files are limited to $FD_LIMIT here (hard limit; raising it needs CAP_SYS_RESOURCE), and $STREAMS"
  echo "      streams need 2 x $STREAMS sockets in the gateway: running $MAX_STREAMS instead of $STREAMS."
fi

# $1: file, $2: line label (target: baseline: added: load: idle:), $3: key; prints the value.
kv() { awk -v label="$2" -v key="$3" '$1 == label { for (i = 2; i <= NF; i++) {
  eq = index($i, "="); if (substr($i, 1, eq - 1) == key) print substr($i, eq + 1) } }' "$1"; }
ms() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'; }
verdict() { awk -v v="$1" -v limit="$2" 'BEGIN { print (v < limit ? "met" : "MISSED") }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Connections the kernel dropped at a full accept queue, machine-wide (each costs the client a SYN
# retry: 1 s, then 3 s).
listen_overflows() { awk '$1 == "TcpExt:" { if (!seen) { for (i = 2; i <= NF; i++) if ($i == "ListenOverflows") col = i; seen = 1 }
  else print $col }' /proc/net/netstat; }
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }  # user to softirq, all cores
TICKS_PER_S=$(getconf CLK_TCK)
# $1, $2: cpu_ticks before and after; $3, $4: the wall clock then (s); prints the share of one core.
cpu_share() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" -v hz="$TICKS_PER_S" \
  'BEGIN { printf "%.0f%%", 100 * (b - a) / hz / (t1 - t0) }'; }

# $1: name, $2: port; writes $WORK/$1.yaml, a one-thread gateway recording to SQLite.
gateway_yaml() {
  cat > "$WORK/$1.yaml" << CONF
listen: 127.0.0.1:$2
storage: sqlite:$WORK/$1-records.db
threads: 1
providers:
  sim: {type: openai, base_url: 'http://127.0.0.1:$SIM/openai/v1', api_key: bench-key}
CONF
}
stop_gateway() {
  kill "$1"
  wait "$1" 2> /dev/null || true
}

# $1: gateway pid, $2: its port, $3: model, $4: output file, then stream_load options. The load
# runs on core 0. Sets CPU_GW, CPU_SIM, CPU_LOAD: each one's share of a core meanwhile,
# GW_US_PER_FRAME: the gateway's CPU time per SSE frame it relayed (stream set-up included), and
# CPU_OTHERS: what other processes on this machine took (of its 2 cores, in core shares), and
# OVERFLOWS: listen_overflows meanwhile.
load() {
  local pid=$1 port=$2 model=$3 out=$4 gw0 sim0 all0 t0 gw1 sim1 all1 t1 load_ticks overflows0
  shift 4
  gw0=$(cpu_ticks "$pid") sim0=$(cpu_ticks "$SIM_PID") all0=$(busy_ticks) t0=$(date +%s.%N) overflows0=$(listen_overflows)
  taskset -c 0 "$STREAM_LOAD" --port "$port" --model "sim/$model" --baseline-port $SIM \
    --baseline-path /openai/v1/chat/completions --baseline-model "$model" "$@" > "$out" || true
  gw1=$(cpu_ticks "$pid") sim1=$(cpu_ticks "$SIM_PID") all1=$(busy_ticks) t1=$(date +%s.%N)
  grep -q '^target:' "$out" || { echo "bench: stream_load gave no figures:" >&2; cat "$out" >&2; exit 1; }
  CPU_GW=$(cpu_share "$gw0" "$gw1" "$t0" "$t1")
  GW_US_PER_FRAME=$(awk -v t=$((gw1 - gw0)) -v hz="$TICKS_PER_S" -v f="$(kv "$out" target: frames)" \
    'BEGIN { printf "%.1f", f ? t / hz * 1e6 / f : 0 }')
  CPU_SIM=$(cpu_share "$sim0" "$sim1" "$t0" "$t1")
  load_ticks=$(awk -v c="$(kv "$out" load: cpu_s)" -v hz="$TICKS_PER_S" 'BEGIN { printf "%.0f", c * hz }')
  CPU_LOAD=$(cpu_share 0 "$load_ticks" "$t0" "$t1")
  CPU_OTHERS=$(cpu_share 0 $((all1 - all0 - (gw1 - gw0) - (sim1 - sim0) - load_ticks)) "$t0" "$t1")
  OVERFLOWS=$(($(listen_overflows) - overflows0))
}

# The figures of one paired run ($1: output file), each with its target.
report_streams() {
  local f=$1 n failed
  n=$(kv "$f" target: streams)
  failed=$(kv "$f" target: failed)
  printf "   added TTFB          p50 %7s ms  p99 %7s ms   (target p99 < 1 ms: %s)\n" \
    "$(ms "$(kv "$f" added: ttfb_p50_us)")" "$(ms "$(kv "$f" added: ttfb_p99_us)")" "$(verdict "$(kv "$f" added: ttfb_p99_us)" 1000)"
  printf "   added inter-chunk   p50 %7s ms  p99 %7s ms   (target p99 < 1 ms: %s)\n" \
    "$(ms "$(kv "$f" added: gap_p50_us)")" "$(ms "$(kv "$f" added: gap_p99_us)")" "$(verdict "$(kv "$f" added: gap_p99_us)" 1000)"
  printf "   streams completed %s of %s, lost %s (target 0: %s); SSE frames per stream %s (direct %s)\n" \
    "$(kv "$f" target: completed)" "$n" "$failed" "$(verdict "$failed" 1)" \
    "$(kv "$f" target: frames_per_stream)" "$(kv "$f" baseline: frames_per_stream)"
  printf "   direct (simulator alone): TTFB p50 %s ms p99 %s ms; inter-chunk p50 %s ms p99 %s ms max %s ms; lost %s\n" \
    "$(ms "$(kv "$f" baseline: ttfb_p50_us)")" "$(ms "$(kv "$f" baseline: ttfb_p99_us)")" \
    "$(ms "$(kv "$f" baseline: gap_p50_us)")" "$(ms "$(kv "$f" baseline: gap_p99_us)")" \
    "$(ms "$(kv "$f" baseline: gap_max_us)")" "$(kv "$f" baseline: failed)"
  printf "   CPU (share of one core): gateway %s, simulator %s, load %s, other processes %s; the load's event loop\n" \
    "$CPU_GW" "$CPU_SIM" "$CPU_LOAD" "$CPU_OTHERS"
  printf "   ran late by p99 %s ms (max %s ms); connections dropped at a full accept queue (SYN retried after 1 s+): %s\n" \
    "$(ms "$(kv "$f" load: event_loop_lag_p99_us)")" "$(ms "$(kv "$f" load: event_loop_lag_max_us)")" "$OVERFLOWS"
  grep -o 'first_error=.*' "$f" | sed 's/^/   /' || true
}

start_sim $SIM
SIM_PID=${PIDS[-1]}
# STREAMS_ONLY=slow,idle,lane,soak runs only those sections (all by default).
part() { [[ -z "${STREAMS_ONLY:-}" || ",$STREAMS_ONLY," == *",$1,"* ]]; }

# ---- a. many concurrent slow streams ----
if part slow; then
SLOW_STREAMS=$(capped "$STREAMS")
SLOW_MODEL='lorem~len=16~ttft=200~delay=2000'
echo "== a. $SLOW_STREAMS concurrent slow streams through one Switchyard (threads: 1, storage: sqlite) =="
echo "simulator: 200 ms to first token, then 15 more tokens 2 s apart; streams start over 20 s, so all"
echo "$SLOW_STREAMS are open at once from 20 s to 30 s (one connection each). A faster ramp measures the"
echo "simulator and the load on core 0 instead: they serve both sides of every pair."
gateway_yaml slow $GW_SLOW
start_gateway slow "$WORK/slow.yaml" 0
SLOW_PID=$GATEWAY_PID
slow() { load "$SLOW_PID" $GW_SLOW "$SLOW_MODEL" "$1" --streams "$SLOW_STREAMS" --ramp-ms 20000; }
slow "$WORK/slow-warm.txt"  # warm-up: a gateway in service has its upstream connections and memory already
echo "-- gateway on the same core as the simulator and the load (no cross-core wake-ups):"
slow "$WORK/slow-same.txt"
report_streams "$WORK/slow-same.txt"
echo "-- gateway on the other core (each hop wakes a sleeping vCPU):"
pin "$SLOW_PID" 1
slow "$WORK/slow-other.txt"
report_streams "$WORK/slow-other.txt"
peak=$(($(peak_rss_kb "$SLOW_PID") / 1024))
echo "   switchyard peak RSS: $peak MB (target < 500 MB: $(verdict "$peak" 500))"
stop_gateway "$SLOW_PID"
fi

# ---- b. memory per idle connection ----
if part idle; then
IDLE=$(capped "$IDLE_CONNECTIONS")
echo
echo "== b. memory per idle keep-alive connection: $IDLE connections to a fresh gateway =="
gateway_yaml idle $GW_IDLE
start_gateway idle "$WORK/idle.yaml" 1
IDLE_PID=$GATEWAY_PID
taskset -c 0 "$STREAM_LOAD" --port $GW_IDLE --idle "$IDLE" --rss-pid "$IDLE_PID" > "$WORK/idle.txt"
if grep -q 'per_connection_connected_kb' "$WORK/idle.txt"; then
  printf "   connected, no request yet: %s KB per connection; after one GET /healthz on each (kept open): %s KB\n" \
    "$(kv "$WORK/idle.txt" idle: per_connection_connected_kb)" "$(kv "$WORK/idle.txt" idle: per_connection_after_request_kb)"
  printf "   (RSS %s MB idle, %s MB connected, %s MB after the requests)\n" \
    "$(($(kv "$WORK/idle.txt" idle: rss_before_kb) / 1024))" "$(($(kv "$WORK/idle.txt" idle: rss_connected_kb) / 1024))" \
    "$(($(kv "$WORK/idle.txt" idle: rss_after_request_kb) / 1024))"
else
  cat "$WORK/idle.txt"
fi
stop_gateway "$IDLE_PID"
fi

# ---- c. the stream lane ----
SUSTAINED=0
if part lane; then
LANE_MODEL='lorem~len=64~ttft=0~delay=20'
echo
echo "== c. the stream lane: streams of 64 deltas paced 20 ms, $LANE_STEP_S s per step, each pair run back to back on"
echo "keep-alive connections; gateway on core 1, the simulator and the load on core 0. A frame is late when it"
echo "arrives more than 200 ms (10 intervals) after its predecessor (the first frame: after the request was sent)."
echo "TTFT: the first byte, which carries the first token; the first stream of each pair also opens its connections."
gateway_yaml lane $GW_LANE
start_gateway lane "$WORK/lane.yaml" 1
LANE_PID=$GATEWAY_PID
load "$LANE_PID" $GW_LANE "$LANE_MODEL" "$WORK/lane-warm.txt" --streams 100 --duration-s 2 --ramp-ms 500
echo "CPU: share of one core for the gateway (core 1), the simulator and the load (sharing core 0), and other"
echo "processes; gw us/frame: the gateway's CPU time per frame relayed, stream set-up and kernel included."
printf "%8s %19s %21s %14s %7s %5s %7s %7s %7s %7s %7s\n" streams "added TTFT p50/p99" "added gap p50/p99" \
  "late: through" direct lost "gw CPU" "sim CPU" "load" "others" "gw us/frame"
FIRST_LATE=""
for step in $LANE_STEPS; do
  step=$(capped "$step")
  out="$WORK/lane-$step.txt"
  load "$LANE_PID" $GW_LANE "$LANE_MODEL" "$out" --streams "$step" --duration-s "$LANE_STEP_S" --ramp-ms 2000 --late-ms 200
  late=$(kv "$out" target: late_streams) lost=$(kv "$out" target: failed)
  printf "%8s %9s/%-6s ms %8s/%-6s ms %6s of %-6s %6s %5s %7s %7s %7s %7s %7s\n" "$step" \
    "$(ms "$(kv "$out" added: ttfb_p50_us)")" "$(ms "$(kv "$out" added: ttfb_p99_us)")" \
    "$(ms "$(kv "$out" added: gap_p50_us)")" "$(ms "$(kv "$out" added: gap_p99_us)")" \
    "$late" "$(kv "$out" target: streams)" "$(kv "$out" baseline: late_streams)" "$lost" "$CPU_GW" "$CPU_SIM" "$CPU_LOAD" \
    "$CPU_OTHERS" "$GW_US_PER_FRAME"
  grep -o 'first_error=.*' "$out" | sed 's/^/         /' || true
  if [[ "$late" == 0 && "$lost" == 0 && -z "$FIRST_LATE" ]]; then SUSTAINED=$step; else FIRST_LATE=${FIRST_LATE:-$step}; fi
done
echo "streams sustained: $SUSTAINED (the highest step with no frame later than 200 ms after its predecessor and no stream lost)"
if [[ -n "$FIRST_LATE" ]]; then
  f="$WORK/lane-$FIRST_LATE.txt"
  echo "at $FIRST_LATE: through the gateway gap p99 $(ms "$(kv "$f" target: gap_p99_us)") ms max $(ms "$(kv "$f" target: gap_max_us)") ms;" \
    "direct p99 $(ms "$(kv "$f" baseline: gap_p99_us)") ms max $(ms "$(kv "$f" baseline: gap_max_us)") ms" \
    "($(kv "$f" baseline: late_streams) direct streams late too)"
fi
stop_gateway "$LANE_PID"
fi

# ---- d. memory under a long load ----
if part soak; then
SOAK_STREAMS=${SOAK_STREAMS:-$((SUSTAINED >= 1000 ? 1000 : (SUSTAINED > 100 ? SUSTAINED : 100)))}
echo
echo "== d. memory: a fresh gateway (core 1), then $BENCH_SOAK_S s of the stream lane at $SOAK_STREAMS concurrent streams (unpaired) =="
gateway_yaml soak $GW_SOAK
start_gateway soak "$WORK/soak.yaml" 1
SOAK_PID=$GATEWAY_PID
idle_kb=$(rss_kb "$SOAK_PID")
taskset -c 0 "$STREAM_LOAD" --port $GW_SOAK --model "sim/$LANE_MODEL" --streams "$SOAK_STREAMS" --ramp-ms 2000 \
  --duration-s "$BENCH_SOAK_S" --late-ms 200 > "$WORK/soak.txt" &
SOAK_LOAD=$!
PIDS+=("$SOAK_LOAD")
: > "$WORK/soak-rss.txt"
start=$(date +%s)
while kill -0 "$SOAK_LOAD" 2> /dev/null; do
  sleep "$SOAK_SAMPLE_S"
  elapsed=$(($(date +%s) - start))
  ((elapsed <= BENCH_SOAK_S)) && echo "$elapsed $(rss_kb "$SOAK_PID")" >> "$WORK/soak-rss.txt"
done
wait "$SOAK_LOAD" || true
sleep 15  # connections close and the gateway goes idle
recovered_kb=$(rss_kb "$SOAK_PID")
awk '{ printf "%s%s s %.0f MB", (NR > 1 ? ", " : "   RSS every 10 s: "), $1, $2 / 1024 } END { print "" }' "$WORK/soak-rss.txt"
awk -v idle="$idle_kb" -v recovered="$recovered_kb" -v plateau="$PLATEAU_MB_PER_MIN" '
  { t[NR] = $1 / 60; m[NR] = $2 / 1024 }
  END {
    if (NR < 2) { print "   too few samples: raise BENCH_SOAK_S"; exit }
    first = NR >= 4 ? int(NR / 2) + 1 : 1; n = NR - first + 1  # the last half, of at least 2 samples
    for (i = first; i <= NR; i++) { st += t[i]; sm += m[i]; stt += t[i] * t[i]; stm += t[i] * m[i] }
    slope = (n * stm - st * sm) / (n * stt - st * st)
    printf "   idle %.0f MB; steady under load %.0f MB (mean of the last half)\n", idle / 1024, sm / n
    printf "   last half: growth %.2f MB/min = %s (plateau: under %s MB/min)\n", slope,
      (slope >= plateau ? "GROWTH" : (slope > -plateau ? "plateau" : "plateau (falling)")), plateau
    printf "   recovered 15 s after the load ended: %.0f MB\n", recovered / 1024 }' "$WORK/soak-rss.txt"
printf "   the load: %s streams, %s lost, %s with a late frame (inter-frame gap p99 %s ms, max %s ms)\n" \
  "$(kv "$WORK/soak.txt" target: streams)" "$(kv "$WORK/soak.txt" target: failed)" "$(kv "$WORK/soak.txt" target: late_streams)" \
  "$(ms "$(kv "$WORK/soak.txt" target: gap_p99_us)")" "$(ms "$(kv "$WORK/soak.txt" target: gap_max_us)")"
stop_gateway "$SOAK_PID"
fi
