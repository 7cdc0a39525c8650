// Routing's own costs, measured through the real binary against the simulator:
//  1. a stream cut by its provider and continued on another: the time from the last byte before
//     the cut to the first continued byte, beside the stream's ordinary gap between chunks;
//  2. the response cache: a hit's latency beside a miss's (the simulator answering at once).
// Usage: node bench/resilience.mjs [runs]   (SWITCHYARD_BIN picks the binary; build/switchyard by default)
import { startSim, startGateway } from '../tests/integration/harness.mjs';

const RUNS = Number(process.argv[2] ?? 200);
const DELAY_MS = 5;  // the simulator's gap between tokens

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(label, values, unit = 'ms') {
  const s = [...values].sort((a, b) => a - b);
  const f = (v) => (unit === 'us' ? (v * 1000).toFixed(0) : v.toFixed(2));
  console.log(`${label.padEnd(58)} p50 ${f(quantile(s, 0.5))} ${unit}   p99 ${f(quantile(s, 0.99))} ${unit}   (n=${s.length})`);
}

// Reads a streamed answer, timing each chunk of text as it arrives.
async function timedStream(url, model, prompt) {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: prompt }] }),
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const arrivals = [];
  let buffered = '';
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const now = performance.now();
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const chunk = JSON.parse(event.slice(6));
      const piece = chunk.choices?.[0]?.delta?.content;
      if (piece) {
        arrivals.push({ at: now, length: text.length });
        text += piece;
      }
    }
  }
  return { started, arrivals, text };
}

const sim = await startSim();
const gw = await startGateway(`threads: 1
providers:
  sim: {type: openai, base_url: 'SIM_URL/openai/v1', api_key: k}
  sim-anthropic: {type: anthropic, base_url: 'SIM_URL/anthropic', api_key: k}
cache: {ttl_s: 600, max_mb: 64}
models:
  bench/resilient:
    continue_on_failure: true
    cache: false
    routes:
      - {provider: sim, model: 'lorem~len=200~delay=${DELAY_MS}~cut=50%'}
      - {provider: sim-anthropic, model: 'lorem~len=200~delay=${DELAY_MS}'}
  bench/continuing:
    cache: false
    routes: [{provider: sim-anthropic, model: 'lorem~len=200~delay=${DELAY_MS}'}]
  bench/cached:
    routes: [{provider: sim, model: 'lorem~len=50'}]
`, sim);

try {
  console.log(`== Streams that survive their provider: a ${DELAY_MS} ms-per-token stream cut at half its length, continued on another provider ==`);
  const splice = [], gaps = [], firsts = [];
  for (let i = 0; i < RUNS; i++) {
    const cut = await timedStream(gw.url, 'bench/resilient', `run ${i}`);
    const whole = await timedStream(gw.url, 'bench/continuing', `run ${i}`);
    if (cut.text !== whole.text) throw new Error(`the continued answer differs from the whole one:\n${cut.text}\n${whole.text}`);
    // The largest gap of the cut stream is the splice; the whole stream's gaps are the baseline.
    const cutGaps = cut.arrivals.slice(1).map((a, k) => a.at - cut.arrivals[k].at);
    splice.push(Math.max(...cutGaps));
    gaps.push(...whole.arrivals.slice(1).map((a, k) => a.at - whole.arrivals[k].at));
    firsts.push(whole.arrivals[0].at - whole.started);
  }
  summary('ordinary gap between chunks (uncut stream)', gaps);
  summary('first chunk of a fresh stream on the continuing route', firsts);
  summary('gap at the splice (cut -> first continued byte)', splice);
  const medianGap = quantile([...gaps].sort((a, b) => a - b), 0.5);
  summary('added by the failure (splice gap - ordinary gap)', splice.map((g) => g - medianGap));

  console.log('\n== Response cache: sequential requests, the simulator answering at once ==');
  const miss = [], hit = [];
  for (let i = 0; i < RUNS * 2; i++) {
    const body = JSON.stringify({ model: 'bench/cached', messages: [{ role: 'user', content: `question ${i}` }] });
    for (const [list, expected] of [[miss, 'miss'], [hit, 'hit']]) {
      const started = performance.now();
      const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await r.arrayBuffer();
      const took = performance.now() - started;
      if (r.headers.get('x-switchyard-cache') !== expected) throw new Error(`expected a ${expected}, got ${r.headers.get('x-switchyard-cache')}`);
      list.push(took);
    }
  }
  summary('miss (routed to the simulator, answer kept)', miss, 'us');
  summary('hit (answered from memory)', hit, 'us');
} finally {
  await gw.stop();
  await sim.stop();
}
