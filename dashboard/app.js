// The dashboard: plain JS and Chart.js over the gateway's own APIs, routed by the URL's hash:
//   #/insights      GET /v1/insights (+ /v1/credits, and /v1/timeseries for unpriced requests)
//   #/requests      GET /v1/logs: filters, live tail, paging by next_cursor
//   #/requests/<id> GET /v1/generation?id=: attempts on a timeline, tokens, cost, routing
//   #/over-time     GET /v1/timeseries: requests, errors, spend, tokens, latency, TTFT, rescues
// The key is kept in sessionStorage (this tab only). document.body.dataset.state says 'loading',
// 'ready', 'empty', 'needs-key', 'forbidden', 'unknown-team' or 'error' (the headless tests wait
// on it); window.switchyardCharts holds the charts on screen. Text from clients (model ids, team
// names, errors) only ever reaches the page through textContent or the canvas.
'use strict';

const $ = (id) => document.getElementById(id);
const KEY = 'switchyard-key';
const REFRESH = 'switchyard-refresh';
const charts = [];
window.switchyardCharts = charts;
const session = { key: '', who: null, teamChecks: new Map(), entries: new Map(), lastRequests: '#/requests' };
let viewToken = 0;
let timers = [];

// ---------------------------------------------------------------------------------------------
// The DOM, built from text: a string child becomes a text node, never markup.
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function setState(state) { document.body.dataset.state = state; }

function setNotice(text, bad = false) {
  const n = $('notice');
  n.textContent = text ?? '';
  n.classList.toggle('bad', bad);
}

// ---------------------------------------------------------------------------------------------
// Numbers, money, times.
const nf = (options) => new Intl.NumberFormat('en-US', options);
const intFmt = nf({ maximumFractionDigits: 0 });
const sig3 = nf({ maximumSignificantDigits: 3 });
const usd2 = nf({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compactFmt = nf({ notation: 'compact', maximumFractionDigits: 1 });

// $1,234.57 from a dollar up; below, three significant digits ($0.0000195, never $0.0000).
function money(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return 'unpriced';
  if (x === 0) return '$0';
  const a = Math.abs(x);
  return `${x < 0 ? '-' : ''}$${a >= 1 ? usd2.format(a) : sig3.format(a)}`;
}
const count = (n) => (n === null || n === undefined ? '—' : intFmt.format(n));
const compact = (n) => (n === null || n === undefined ? '—' : Math.abs(n) < 10000 ? intFmt.format(n) : compactFmt.format(n));
// A fraction as a percentage: 1 decimal, 2 below 1 %.
function pct(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const v = x * 100;
  if (v === 0) return '0%';
  return `${nf({ maximumFractionDigits: Math.abs(v) < 1 ? 2 : 1 }).format(v)}%`;
}
function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}
const pad = (n, w = 2) => String(n).padStart(w, '0');
function localTime(ms, seconds = true) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
}
// A window edge as the user gave it: a day stays a day (UTC), a time is shown in local time.
function describeEdge(text) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : localTime(ms);
}
function utcDay(offsetDays) { return new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10); }
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time';

// ---------------------------------------------------------------------------------------------
// The gateway's APIs.
class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `the gateway answered HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? null;
  }
}

async function api(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') query.set(k, v);
  const url = query.toString() ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: session.key ? { authorization: `Bearer ${session.key}` } : {} });
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// Who the key is: the admin key (every team), a team's key (its team), or no key on a gateway
// that has none. The team of a team key is that of its records (GET /v1/logs answers a team key
// with its own team's only).
async function identify() {
  const credits = await api('/v1/credits');  // 401 without a key the gateway takes; names the key's team
  if (!session.key) return { kind: 'open', team: credits.team ?? null };
  try {
    const [teams, keys] = await Promise.all([api('/v1/admin/teams'), api('/v1/admin/keys').catch(() => ({ data: [] }))]);
    const names = new Set([...(teams.data ?? []).map((t) => t.name), ...(keys.data ?? []).map((k) => k.team)].filter(Boolean));
    return { kind: 'admin', teams: [...names].sort() };
  } catch (e) {
    if (e.status !== 403) throw e;
  }
  return { kind: 'team', team: credits.team ?? null };
}

// Insights and the timeseries answer 503 insights_loading while the gateway reads its history:
// say so, and try again in 5 s.
function loadingHistory(error, token) {
  if (error.code !== 'insights_loading') return false;
  setNotice(`${error.message} — trying again in 5 s.`);
  timers.push(setTimeout(() => { if (token === viewToken) route(); }, 5000));
  return true;
}

// What keeps the view from showing `team`: a team key asking for another team, or a name no
// team has. Null when nothing does.
async function teamProblem(team) {
  if (!team) return null;
  const who = session.who;
  if (who.kind !== 'admin' && who.team === team) return null;
  if (session.teamChecks.has(team)) return session.teamChecks.get(team);
  let problem = null;
  if (who.kind !== 'admin') {
    // /v1/insights ignores a team key's team=, /v1/logs refuses it: ask the one that says so.
    try {
      await api('/v1/logs', { team, limit: 1 });
    } catch (e) {
      if (e.status !== 403) throw e;
      problem = { state: 'forbidden', text: `This key belongs to ${who.team ? `team “${who.team}”` : 'a team'} and cannot see team “${team}”: a team's key sees its own team only. Clear the Team field to see ${who.team ? `“${who.team}”` : 'your team'}, or use the admin key.` };
    }
  } else if (!who.teams.includes(team)) {
    let seen = true;
    try { seen = (await api('/v1/logs', { team, limit: 1 })).data.length > 0; } catch { /* an older gateway: let the view say */ }
    if (!seen) problem = { state: 'unknown-team', text: `No team is named “${team}”: no key or team in the config has that name and no request came from it. Names are exact (case matters).` };
  }
  session.teamChecks.set(team, problem);
  return problem;
}

// ---------------------------------------------------------------------------------------------
// Charts: colours follow the page's (light or dark) scheme.
const palette = ['#1c7ed6', '#f76707', '#37b24d', '#ae3ec9', '#f59f00', '#1098ad', '#e64980', '#74b816', '#7048e8', '#fa5252', '#0ca678', '#868e96'];
const colour = (i) => palette[i % palette.length];
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
function applyTheme() {
  if (!window.Chart) return;
  Chart.defaults.color = css('--muted');
  Chart.defaults.borderColor = css('--line');
  Chart.defaults.font.family = 'system-ui, sans-serif';
}

function destroyCharts() { charts.splice(0).forEach((c) => c.destroy()); }

function draw(id, config) {
  const canvas = $(id);
  const old = charts.findIndex((c) => c.canvas === canvas);
  if (old >= 0) charts.splice(old, 1)[0].destroy();
  const options = config.options ?? {};
  const chart = new Chart(canvas, {
    ...config,
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      ...options,
      plugins: { legend: { labels: { boxWidth: 12 } }, ...options.plugins },
    },
  });
  charts.push(chart);
  return chart;
}

const percentAxis = (extra = {}) => ({ min: 0, max: 100, ticks: { callback: (v) => `${v}%` }, ...extra });
const truncate = (s, n = 28) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

// ---------------------------------------------------------------------------------------------
// Tables: each with a CSV button; cells filled with textContent.
function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;  // no formulas in a spreadsheet
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
function downloadCsv(name, columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell((c.raw ?? c.value)(r))).join(','));
  const url = URL.createObjectURL(new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' }));
  const a = h('a', { href: url, download: `${name}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
// columns: {label, value(row) → shown text, raw(row) → CSV value (default value), numeric, cls}
function renderTable(host, name, columns, rows, { caption = '', tall = false } = {}) {
  const target = typeof host === 'string' ? document.querySelector(`[data-table="${host}"]`) : host;
  const shown = columns.filter((c) => !c.hidden);
  const table = h('table', { id: `${name}-table` },
    h('thead', {}, h('tr', {}, shown.map((c) => h('th', { class: c.numeric ? 'n' : null }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, shown.map((c) => {
      return h('td', { class: [c.numeric ? 'n' : '', c.cls ? c.cls(r) : c.wrap ? 'wrap' : ''].join(' ').trim() || null }, c.value(r));
    })))));
  target.replaceChildren(
    h('div', { class: 'tablebar' }, h('span', { class: 'caption' }, caption),
      h('button', { type: 'button', class: 'csv', onclick: () => downloadCsv(name, columns, rows) }, 'CSV')),
    h('div', { class: `scroll${tall ? ' tall' : ''}` }, table));
  return table;
}

// ---------------------------------------------------------------------------------------------
// Routing.
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const [view, ...rest] = path.split('/');
  return { view: view || 'insights', id: rest.length && rest.join('/') ? decodeURIComponent(rest.join('/')) : null, params };
}
function hashOf(view, params) {
  const query = new URLSearchParams([...params].filter(([, v]) => v !== ''));
  return `#/${view}${query.toString() ? `?${query}` : ''}`;
}
const requestHref = (id, team) => `#/requests/${encodeURIComponent(id)}${team ? `?${new URLSearchParams({ team })}` : ''}`;

const views = { insights: renderInsights, requests: renderRequests, request: renderRequest, 'over-time': renderOverTime };

function clearTimers() { timers.forEach((t) => clearInterval(t)); timers = []; }

async function route() {
  if (!session.who) return;
  const token = ++viewToken;
  clearTimers();
  destroyCharts();
  const { view, id, params } = parseHash();
  const name = view === 'requests' && id ? 'request' : views[view] ? view : 'insights';
  const team = (params.get('team') ?? '').trim();
  for (const v of Object.keys(views)) $(`view-${v}`).hidden = v !== name;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.view === (name === 'request' ? 'requests' : name));
    a.href = hashOf(a.dataset.view, new URLSearchParams(team ? { team } : {}));
  }
  $('team').value = team;
  setNotice('');
  setState('loading');
  try {
    const problem = await teamProblem(team);
    if (token !== viewToken) return;
    if (problem) {
      $(`view-${name}`).hidden = true;
      setNotice(problem.text, true);
      setState(problem.state);
      return;
    }
    await views[name](params, id, token);
    const every = Number($('refresh').value);
    if (token === viewToken && every > 0 && (name === 'insights' || name === 'over-time')) {
      timers.push(setInterval(() => views[name](params, id, token).catch((e) => failed(e, token)), every * 1000));
    }
  } catch (e) {
    failed(e, token);
  }
}

function failed(error, token) {
  if (token !== viewToken) return;
  if (error.status === 401) {
    forgetKey(`The gateway no longer takes this key: ${error.message}`);
    return;
  }
  if (error.code === 'team_forbidden') {
    setNotice(`This key cannot see that team: ${error.message}`, true);
    setState('forbidden');
    return;
  }
  setNotice(error instanceof ApiError ? `The gateway answered: ${error.message}` : `Something went wrong: ${error.message ?? error}`, true);
  setState('error');
}

// ---------------------------------------------------------------------------------------------
// The key: asked for on the first visit, kept for this tab only.
function askForKey(message = '') {
  session.who = null;
  clearTimers();
  destroyCharts();
  $('app').hidden = true;
  $('nav').hidden = true;
  $('refresh-label').hidden = true;
  $('forget').hidden = true;
  $('whoami').textContent = '';
  $('key-screen').hidden = false;
  $('key-error').textContent = message;
  $('key-input').value = '';
  $('key-input').focus();
  setState('needs-key');
}

function forgetKey(message = '') {
  sessionStorage.removeItem(KEY);
  session.key = '';
  session.teamChecks.clear();
  session.entries.clear();
  askForKey(message);
}

async function boot() {
  setState('loading');
  try { localStorage.removeItem(KEY); } catch { /* storage off */ }  // where an older dashboard kept it
  session.key = sessionStorage.getItem(KEY) ?? '';
  try {
    session.who = await identify();
  } catch (e) {
    if (e.status === 401) {
      const had = session.key;
      sessionStorage.removeItem(KEY);
      session.key = '';
      askForKey(had ? `That key was not accepted: ${e.message}` : '');
      return;
    }
    $('key-screen').hidden = true;
    $('app').hidden = false;
    for (const v of Object.keys(views)) $(`view-${v}`).hidden = true;
    setNotice(e instanceof ApiError ? `The gateway answered: ${e.message}` : `The gateway cannot be reached: ${e.message ?? e}`, true);
    setState('error');
    return;
  }
  const who = session.who;
  $('key-screen').hidden = true;
  $('app').hidden = false;
  $('nav').hidden = false;
  $('refresh-label').hidden = false;
  $('forget').hidden = !session.key;
  $('whoami').textContent = who.kind === 'admin' ? 'Admin key · every team'
    : who.kind === 'team' ? `Team key · viewing team ${who.team}`
      : 'No key needed on this gateway';
  $('team').placeholder = who.kind === 'admin' ? 'all teams' : (who.team ?? 'your team');
  $('scope-hint').textContent = who.kind === 'admin' ? 'Empty: every team.' : who.kind === 'team' ? 'A team key sees its own team only.' : '';
  $('team-names').replaceChildren(...(who.teams ?? []).map((t) => h('option', { value: t })));
  $('footer').textContent = `Times are in your time zone (${zone}); Insights' days and the day grain are UTC days.`;
  if (!location.hash) history.replaceState(null, '', '#/insights');
  route();
}

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('key-input').value.trim();
  if (!key) {
    $('key-error').textContent = 'Paste a key first.';
    return;
  }
  sessionStorage.setItem(KEY, key);
  boot();
});
$('forget').addEventListener('click', () => forgetKey());
$('scope').addEventListener('submit', (event) => {
  event.preventDefault();
  const { view, id, params } = parseHash();
  const team = $('team').value.trim();
  if (team) params.set('team', team); else params.delete('team');
  params.delete('cursor');
  const path = view === 'requests' && id ? 'requests' : view;
  location.hash = hashOf(path, params);
});
$('refresh').value = sessionStorage.getItem(REFRESH) ?? '30';
$('refresh').addEventListener('change', () => { sessionStorage.setItem(REFRESH, $('refresh').value); route(); });
window.addEventListener('hashchange', route);
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { applyTheme(); route(); });

// ---------------------------------------------------------------------------------------------
// Insights.
const isUnpriced = (row, unpricedByModel) => row.tokens > 0 && row.cost === 0 && (unpricedByModel?.get(row.key) ?? 1) > 0;

function shareChart(id, rows, { top = 0, unpriced = null } = {}) {
  let shown = [...rows];
  if (top && shown.length > top) {
    shown.sort((a, b) => (b.spend_share + b.token_share) - (a.spend_share + a.token_share));
    const rest = shown.slice(top);
    const sum = (f) => rest.reduce((n, r) => n + r[f], 0);
    shown = [...shown.slice(0, top), { key: `other (${rest.length} models)`, spend_share: sum('spend_share'), token_share: sum('token_share'),
      cost: sum('cost'), tokens: sum('tokens'), requests: sum('requests'), other: true }];
  }
  const labels = shown.map((r) => (unpriced && !r.other && isUnpriced(r, unpriced) ? `${r.key} (unpriced)` : r.key));
  const box = $(id).parentElement;
  box.style.height = `${Math.max(150, 56 + shown.length * 34)}px`;
  draw(id, {
    type: 'bar',
    data: { labels, datasets: [
      { label: 'share of spend', data: shown.map((r) => r.spend_share * 100), backgroundColor: '#e8590c' },
      { label: 'share of tokens', data: shown.map((r) => r.token_share * 100), backgroundColor: '#1c7ed6' },
    ] },
    options: {
      indexAxis: 'y',
      scales: { x: percentAxis({ title: { display: true, text: 'share of successful requests providers answered (%)' } }),
        y: { ticks: { autoSkip: false, callback(v) { return truncate(this.getLabelForValue(v), window.innerWidth < 600 ? 16 : 28); } } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => {
        const r = shown[ctx.dataIndex];
        return ctx.datasetIndex === 0 ? `spend: ${pct(r.spend_share)} (${unpriced && !r.other && isUnpriced(r, unpriced) ? "unpriced" : money(r.cost)})` : `tokens: ${pct(r.token_share)} (${count(r.tokens)})`;
      } } } },
    },
  });
}

function shareTable(host, name, label, rows, unpriced = null) {
  const cost = (r) => (unpriced && isUnpriced(r, unpriced) ? 'unpriced' : money(r.cost));
  renderTable(host, name, [
    { label, value: (r) => r.key, wrap: true },
    { label: 'requests', hidden: true, raw: (r) => r.requests },
    { label: 'tokens', value: (r) => compact(r.tokens), raw: (r) => r.tokens, numeric: true },
    { label: 'share', value: (r) => pct(r.token_share), raw: (r) => r.token_share, numeric: true },
    { label: 'spend', value: cost, raw: (r) => (cost(r) === 'unpriced' ? '' : r.cost), numeric: true },
    { label: 'share', value: (r) => pct(r.spend_share), raw: (r) => r.spend_share, numeric: true },
    { label: 'USD per million tokens', hidden: true, raw: (r) => (cost(r) === 'unpriced' ? '' : r.cost_per_mtok) },
  ], rows, { tall: rows.length > 10, caption: `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}` });
}

async function renderInsights(params, _id, token) {
  const from = params.get('from') || utcDay(-29);
  const to = params.get('to') || utcDay(0);
  const team = params.get('team') || undefined;
  $('from').value = from;
  $('to').value = to;
  let insights;
  try {
    insights = await api('/v1/insights', { start_date: from, end_date: to, team });
  } catch (e) {
    if (!loadingHistory(e, token)) throw e;
    return;
  }
  const [credits, series] = await Promise.all([
    api('/v1/credits').catch(() => null),
    api('/v1/timeseries', { grain: 'day', start: from, end: to, group_by: 'model', top: 50, team }).catch(() => null),
  ]);
  if (token !== viewToken) return;
  const t = insights.totals;
  const scopeText = team ? ` for team “${team}”` : session.who.kind === 'team' && session.who.team ? ` for team “${session.who.team}”` : '';
  if (t.requests === 0) {
    destroyCharts();
    $('insights-body').hidden = true;
    $('insights-empty').hidden = false;
    $('insights-empty').textContent = `No requests between ${from} and ${to} (UTC days)${scopeText}. Pick other days above, or send traffic through the gateway.`;
    setState('empty');
    return;
  }
  $('insights-body').hidden = false;
  $('insights-empty').hidden = true;

  // Requests without a list price: counted per model by the timeseries (when this gateway has it).
  let unpricedByModel = null, unpricedTotal = 0;
  if (series) {
    unpricedByModel = new Map();
    for (const s of series.series) {
      const n = s.points.reduce((sum, p) => sum + (p.unpriced ?? 0), 0);
      if (s.key === 'total') unpricedTotal = n; else unpricedByModel.set(s.key, n);
    }
  }
  const unpricedModels = insights.by_model.filter((r) => isUnpriced(r, unpricedByModel));
  // Successful requests: those a provider answered, and those served from the response cache.
  const cache = insights.cache;
  const successful = insights.by_provider.reduce((n, r) => n + r.requests, 0) + (cache?.hits ?? 0);
  const balance = credits?.balance;
  const cards = [
    [count(t.requests), `requests${scopeText}, ${from} to ${to}`],
    [pct(t.requests ? successful / t.requests : null), 'answered successfully'],
    [compact(t.tokens), `tokens (${count(t.tokens)})`],
    [`${money(t.cost)}${unpricedTotal || unpricedModels.length ? '*' : ''}`, 'spend at list price'],
  ];
  if (cache?.hits > 0) {
    cards.push([count(cache.hits), `served from the response cache (${pct(cache.hit_rate)} of successful requests)`]);
    cards.push([money(cache.saved_cost), 'saved by the response cache: what the kept answers cost when they were made']);
  }
  if (balance !== undefined && balance !== null) {
    cards.push(balance === 'unlimited' ? ['no budget', 'on this key'] : [money(Number(balance)), "left of this key's budget this period"]);
  }
  $('totals').replaceChildren(...cards.map(([v, k]) => h('div', { class: 'stat' }, h('div', { class: 'v' }, v), h('div', { class: 'k' }, k))));
  const note = $('spend-note');
  note.hidden = !(unpricedTotal || unpricedModels.length);
  note.textContent = `* Spend is incomplete: ${unpricedTotal ? `${count(unpricedTotal)} requests` : 'some requests'} had no list price and count $0${
    unpricedModels.length ? ` (${unpricedModels.map((r) => r.key).slice(0, 5).join(', ')}${unpricedModels.length > 5 ? ', …' : ''})` : ''}. Set a price for them in the config's models:.`;

  shareChart('by-provider', insights.by_provider);
  shareTable('by-provider', 'by-provider', 'provider', insights.by_provider);
  shareChart('by-model', insights.by_model, { top: 10, unpriced: unpricedByModel ?? new Map() });
  shareTable('by-model', 'by-model', 'model', insights.by_model, unpricedByModel ?? new Map());
  shareChart('by-use-case', insights.by_use_case);
  shareTable('by-use-case', 'by-use-case', 'use case', insights.by_use_case);
  shareChart('by-segment', insights.by_segment);
  shareTable('by-segment', 'by-segment', 'segment', insights.by_segment);
  draw('agentic', {
    type: 'bar',
    data: { labels: ['share of requests', 'share of tokens'],
      datasets: [{ label: 'ending in a tool call', data: [insights.agentic.request_share * 100, insights.agentic.token_share * 100], backgroundColor: '#37b24d' }] },
    options: { indexAxis: 'y', scales: { x: percentAxis() },
      plugins: { tooltip: { callbacks: { label: (ctx) => pct(ctx.raw / 100) } } } },
  });
  draw('rescue', {
    type: 'bar',
    data: { labels: ['of requests', 'of tokens', 'of dollars'],
      datasets: [{ label: 'rescued', data: [insights.rescue.request_rate, insights.rescue.token_rate, insights.rescue.cost_rate].map((x) => x * 100), backgroundColor: '#f59f00' }] },
    options: { indexAxis: 'y', scales: { x: { min: 0, ticks: { callback: (v) => `${v}%` }, suggestedMax: 5 } },
      plugins: { tooltip: { callbacks: { label: (ctx) => pct(ctx.raw / 100) } } } },
  });
  uptimeChart(insights.uptime);
  draw('models-per-team', {
    type: 'bar',
    data: { labels: insights.models_per_team.map((b) => `${b.bucket} requests`),
      datasets: [{ label: 'average distinct models per team', data: insights.models_per_team.map((b) => b.avg_models), backgroundColor: '#1098ad' }] },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'models' } } },
      plugins: { tooltip: { callbacks: { afterLabel: (ctx) => `${count(insights.models_per_team[ctx.dataIndex].teams)} teams` } } } },
  });
  adoptionLines(insights.adoption);
  leaderboards(insights, unpricedByModel ?? new Map());
  setState('ready');
}

// Uptime near 100 % is where the differences are: the axis starts just below the lowest value.
function uptimeChart(rows) {
  const values = rows.flatMap((u) => [u.request_uptime, u.cost_weighted_uptime]).filter((v) => v !== null).map((v) => v * 100);
  const lowest = values.length ? Math.min(...values) : 100;
  const min = Math.max(0, Math.floor(lowest - Math.max(1, (100 - lowest) * 0.25)));
  draw('uptime', {
    type: 'bar',
    data: { labels: rows.map((u) => u.provider), datasets: [
      { label: 'per attempt', data: rows.map((u) => u.request_uptime * 100), backgroundColor: '#868e96' },
      { label: 'cost-weighted', data: rows.map((u) => (u.cost_weighted_uptime === null ? null : u.cost_weighted_uptime * 100)), backgroundColor: '#7048e8' },
    ] },
    options: { scales: { y: { min, max: 100, ticks: { callback: (v) => `${v}%` }, title: { display: true, text: `uptime (axis from ${min}%)` } },
      x: { ticks: { callback(v) { return truncate(this.getLabelForValue(v), 16); } } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.raw === null ? 'no priced request' : pct(ctx.raw / 100)}` } } } },
  });
  renderTable('uptime', 'uptime', [
    { label: 'provider', value: (u) => u.provider, wrap: true },
    { label: 'per attempt', value: (u) => pct(u.request_uptime), raw: (u) => u.request_uptime, numeric: true },
    { label: 'cost-weighted', value: (u) => (u.cost_weighted_uptime === null ? 'no priced request' : pct(u.cost_weighted_uptime)), raw: (u) => u.cost_weighted_uptime, numeric: true },
  ], rows);
}

// Families with more than one version in the window: the others have nothing taking over.
function adoptionLines(all) {
  const versions = new Map();
  for (const r of all) versions.set(r.family, (versions.get(r.family) ?? new Set()).add(r.version));
  const rows = all.filter((r) => versions.get(r.family).size > 1);
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const series = new Map();
  for (const r of rows) {
    const name = `${r.family} ${r.version}`;
    if (!series.has(name)) series.set(name, new Map());
    series.get(name).set(r.day, r.share * 100);
  }
  // At most 12 lines (those that reach the highest shares), so the legend stays readable.
  const shown = [...series].sort((a, b) => Math.max(...b[1].values()) - Math.max(...a[1].values())).slice(0, 12)
    .sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }));
  draw('adoption', {
    type: 'line',
    data: { labels: days, datasets: shown.map(([label, byDay], i) => ({ label, data: days.map((d) => byDay.get(d) ?? 0),
      borderColor: colour(i), backgroundColor: colour(i), pointRadius: days.length < 4 ? 3 : 0, tension: 0.2 })) },
    options: { scales: { y: percentAxis({ title: { display: true, text: "share of the family's requests" } }) },
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${pct(ctx.raw / 100)}` } } } },
  });
}

function leaderboards(insights, unpricedByModel) {
  const byTokens = insights.leaderboard.by_tokens;
  renderTable('leaderboard-tokens', 'leaderboard-tokens', [
    { label: '#', value: (r) => byTokens.indexOf(r) + 1, numeric: true },
    { label: 'model', value: (r) => r.key, wrap: true },
    { label: 'tokens', value: (r) => count(r.tokens), raw: (r) => r.tokens, numeric: true },
    { label: 'share', value: (r) => pct(r.token_share), raw: (r) => r.token_share, numeric: true },
    { label: 'requests', value: (r) => count(r.requests), raw: (r) => r.requests, numeric: true },
  ], byTokens, { tall: byTokens.length > 12 });
  const unpriced = insights.leaderboard.by_spend.filter((r) => isUnpriced(r, unpricedByModel));
  const bySpend = insights.leaderboard.by_spend.filter((r) => !unpriced.includes(r));
  renderTable('leaderboard-spend', 'leaderboard-spend', [
    { label: '#', value: (r) => bySpend.indexOf(r) + 1, numeric: true },
    { label: 'model', value: (r) => r.key, wrap: true },
    { label: 'spend', value: (r) => money(r.cost), raw: (r) => r.cost, numeric: true },
    { label: 'share', value: (r) => pct(r.spend_share), raw: (r) => r.spend_share, numeric: true },
    { label: '$ / M tokens', value: (r) => (r.cost_per_mtok === null ? '—' : money(r.cost_per_mtok)), raw: (r) => r.cost_per_mtok, numeric: true },
  ], bySpend, { tall: bySpend.length > 12 });
  const note = $('leaderboard-unpriced');
  note.hidden = unpriced.length === 0;
  note.textContent = `Unpriced, so not ranked: ${unpriced.slice(0, 8).map((r) => `${r.key} (${count(r.tokens)} tokens)`).join(', ')}${
    unpriced.length > 8 ? ` and ${unpriced.length - 8} more (the by-model table lists them)` : ''}.`;
}

$('insights-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const params = parseHash().params;
  params.set('from', $('from').value);
  params.set('to', $('to').value);
  location.hash = hashOf('insights', params);
});

// ---------------------------------------------------------------------------------------------
// Requests: the log, newest first.
const WINDOWS = { '15m': 15 * 60000, '1h': 3600000, '24h': 86400000, '7d': 7 * 86400000, '30d': 30 * 86400000 };
const FILTERS = ['status', 'model', 'provider', 'key_id', 'user', 'tag', 'use_case', 'streamed', 'min_latency_ms', 'min_cost', 'cache'];

// The window of the log's query: {start, end} (ISO or a day) and whether it ends now.
function logWindow(params) {
  const w = params.get('window') ?? (params.get('start') || params.get('end') ? 'custom' : '24h');
  if (w === 'custom') return { kind: 'custom', start: params.get('start') || undefined, end: params.get('end') || undefined, live: !params.get('end') };
  if (w === 'all') return { kind: 'all', live: true };
  return { kind: w, start: new Date(Date.now() - (WINDOWS[w] ?? WINDOWS['24h'])).toISOString(), live: true };
}

function outcomeOf(e) {
  if (e.outcome) return e.outcome;
  if (e.status === 499) return 'cancelled';
  if (e.status >= 400) return (e.attempts ?? []).length === 0 ? 'rejected' : 'error';
  return 'ok';
}
const attemptStart = (a) => a.start_ms ?? a.start_time;
const attemptEnd = (a) => a.end_ms ?? a.end_time;
const servedModel = (e) => e.model || e.model_requested || '—';
const tokensOf = (e) => (e.native_tokens_prompt ?? 0) + (e.native_tokens_completion ?? 0);
function costText(e) {
  if (e.priced === false) return tokensOf(e) > 0 ? 'unpriced' : '—';
  return money(e.total_cost);
}
function badge(e) {
  const o = outcomeOf(e);
  return h('span', { class: `badge ${o}`, title: `HTTP ${e.status}` }, o === 'ok' ? `${e.status}` : `${o} ${e.status}`);
}
// What a cache hit saved: the kept answer's cost when it was made (unknown when it had no list price).
const savedText = (e) => (e.saved_cost === null || e.saved_cost === undefined ? 'the kept answer had no list price, so what it saved is unknown' : `saved ${money(e.saved_cost)}`);
const cacheBadge = (e) => (e.cache_hit ? h('span', { class: 'badge cache', title: `Served from the response cache: ${savedText(e)}` }, 'cache') : null);

const requestColumns = [
  { label: 'time', value: (e) => h('a', { href: requestHref(e.id, parseHash().params.get('team')), title: e.created_at }, localTime(Date.parse(e.created_at))), raw: (e) => e.created_at },
  { label: 'outcome', value: (e) => h('span', {}, badge(e), cacheBadge(e)), raw: (e) => outcomeOf(e) },
  { label: 'status', hidden: true, raw: (e) => e.status },
  { label: 'model', value: (e) => (e.model && e.model_requested && e.model_requested !== e.model ? `${e.model_requested} → ${e.model}` : servedModel(e)), raw: (e) => e.model, cls: () => 'model' },
  { label: 'model asked for', hidden: true, raw: (e) => e.model_requested },
  { label: 'error / reason', value: (e) => e.error ?? '', raw: (e) => e.error, cls: () => 'reason' },
  { label: 'provider', value: (e) => e.provider_name || (e.cache_hit ? 'response cache' : '—'), raw: (e) => e.provider_name },
  { label: 'latency', value: (e) => duration(e.latency), raw: (e) => e.latency, numeric: true },
  { label: 'TTFT', value: (e) => duration(e.time_to_first_token), raw: (e) => e.time_to_first_token, numeric: true, cls: () => 'n opt' },
  { label: 'tokens in / out', value: (e) => `${compact(e.native_tokens_prompt ?? 0)} / ${compact(e.native_tokens_completion ?? 0)}`, raw: (e) => tokensOf(e), numeric: true },
  { label: 'cost', value: costText, raw: (e) => (e.priced === false ? '' : e.total_cost), numeric: true },
  { label: 'team', value: (e) => e.team || '—', raw: (e) => e.team },
  { label: 'user', value: (e) => e.user || '—', raw: (e) => e.user, cls: () => 'opt' },
  { label: 'stream', value: (e) => (e.streamed ? 'yes' : ''), raw: (e) => e.streamed, cls: () => 'opt' },
  { label: 'attempts', hidden: true, raw: (e) => (e.attempts ?? []).length },
  { label: 'key id', hidden: true, raw: (e) => e.key_id },
  { label: 'id', hidden: true, raw: (e) => e.id },
  { label: 'cache hit', hidden: true, raw: (e) => e.cache_hit ?? false },
  { label: 'saved cost', hidden: true, raw: (e) => e.saved_cost },
];

function requestRow(e) {
  session.entries.set(e.id, e);
  return h('tr', { dataset: { id: e.id, outcome: outcomeOf(e), cache: e.cache_hit ? 'hit' : 'miss' }, onclick: (event) => {
    if (event.target.closest('a')) return;
    location.hash = requestHref(e.id, parseHash().params.get('team'));
  } }, requestColumns.filter((c) => !c.hidden).map((c) => h('td', { class: c.cls?.(e) ?? (c.numeric ? 'n' : null) }, c.value(e))));
}

async function renderRequests(params, _id, token) {
  session.lastRequests = location.hash || '#/requests';
  const win = logWindow(params);
  $('f-window').value = win.kind;
  for (const el of document.querySelectorAll('[data-custom]')) el.hidden = win.kind !== 'custom';
  const toLocalInput = (text) => {
    if (!text) return '';
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return '';
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  };
  $('f-start').value = toLocalInput(win.start);
  // A day as the end means the end of that day.
  $('f-end').value = win.end && /^\d{4}-\d{2}-\d{2}$/.test(win.end) ? toLocalInput(new Date(Date.parse(win.end) + 86400000 - 1000).toISOString()) : toLocalInput(win.end);
  $('live').parentElement.hidden = !win.live;
  const filters = {};
  for (const f of FILTERS) {
    const v = (params.get(f) ?? '').trim();
    $(`f-${f}`).value = v;
    if (v) filters[f] = v;
  }
  const team = params.get('team') || undefined;
  const query = { ...filters, team, start: win.start, end: win.end };
  const page = await api('/v1/logs', { ...query, limit: 50 });
  if (token !== viewToken) return;

  const thead = $('requests-table').tHead;
  thead.replaceChildren(h('tr', {}, requestColumns.filter((c) => !c.hidden).map((c) => h('th', { class: c.cls?.({}) ?? (c.numeric ? 'n' : null) }, c.label))));
  const tbody = $('requests-table').tBodies[0];
  const shown = [];
  const ids = new Set();
  tbody.replaceChildren(...page.data.map((e) => { ids.add(e.id); shown.push(e); return requestRow(e); }));
  let cursor = page.next_cursor;
  const filtered = Object.keys(filters).length > 0;
  const between = win.kind === 'all' ? 'since the first record' : `between ${win.start ? describeEdge(win.start) : 'the first record'} and ${win.end ? describeEdge(win.end) : 'now'}`;
  const scopeText = team ? ` of team “${team}”` : '';

  const update = () => {
    const none = shown.length === 0;
    $('requests-empty').hidden = !none;
    $('requests-box').hidden = none && !cursor;
    $('requests-empty').textContent = win.kind === 'all' && !filtered
      ? `No requests${scopeText} yet: send one through the gateway and it shows here.`
      : `No requests${scopeText} ${between}${filtered ? ' match these filters' : ''}.${cursor ? ' The newest records read had none; “Older requests” reads on.' : ' Widen the window or clear the filters.'}`;
    $('requests-summary').textContent = none ? '' : `${count(shown.length)} requests${scopeText} ${between}${filtered ? ' matching the filters' : ''}, newest first${
      win.live && $('live').checked ? ' · live: new requests appear at the top' : ''}. Click a row for its attempts, tokens and cost.`;
    $('older').hidden = !cursor;
    $('pager-note').textContent = cursor ? '' : none ? '' : `That is every request${filtered ? ' matching the filters' : ''} in the window.`;
    setState(none ? 'empty' : 'ready');
  };
  update();

  $('older').onclick = async () => {
    $('older').disabled = true;
    try {
      const next = await api('/v1/logs', { ...query, limit: 50, cursor });
      if (token !== viewToken) return;
      for (const e of next.data) if (!ids.has(e.id)) { ids.add(e.id); shown.push(e); tbody.append(requestRow(e)); }
      cursor = next.next_cursor;
      update();
    } catch (e) {
      failed(e, token);
    } finally {
      $('older').disabled = false;
    }
  };
  $('requests-csv').onclick = () => downloadCsv('requests', requestColumns, shown);

  // Live tail: the newest page every 2 s; what is not on screen yet goes on top.
  if (win.live) {
    let busy = false;
    timers.push(setInterval(async () => {
      if (busy || !$('live').checked || token !== viewToken) return;
      busy = true;
      try {
        const fresh = await api('/v1/logs', { ...query, start: logWindow(params).start, limit: 50 });
        if (token !== viewToken) return;
        const added = [];
        // Records reach the store out of time order (a long stream is recorded when it ends):
        // every new one of the newest page is added, not only those above the first one shown.
        for (const e of fresh.data) if (!ids.has(e.id)) added.push(e);
        if (added.length) {
          for (const e of added) ids.add(e.id);
          shown.unshift(...added);
          const rows = added.map(requestRow);
          for (const r of rows) r.classList.add('fresh');
          tbody.prepend(...rows);
          setTimeout(() => rows.forEach((r) => r.classList.remove('fresh')), 1500);
          if (shown.length === added.length) cursor = fresh.next_cursor;
          update();
        }
      } catch { /* the next tick tries again */ } finally {
        busy = false;
      }
    }, 2000));
  }
}

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  const team = parseHash().params.get('team');
  if (team) params.set('team', team);
  const w = $('f-window').value;
  if (w === 'custom') {
    const iso = (v) => (v ? new Date(v).toISOString() : '');
    params.set('window', 'custom');
    if ($('f-start').value) params.set('start', iso($('f-start').value));
    if ($('f-end').value) params.set('end', iso($('f-end').value));
  } else {
    params.set('window', w);
  }
  for (const f of FILTERS) {
    const v = $(`f-${f}`).value.trim();
    if (v) params.set(f, v);
  }
  location.hash = hashOf('requests', params);
});
$('f-window').addEventListener('change', () => {
  const custom = $('f-window').value === 'custom';
  for (const el of document.querySelectorAll('[data-custom]')) el.hidden = !custom;
  if (!custom) $('filters').requestSubmit();
});
$('f-clear').addEventListener('click', () => {
  const team = parseHash().params.get('team');
  location.hash = hashOf('requests', new URLSearchParams(team ? { team } : {}));
});
$('live').addEventListener('change', () => { if ($('live').checked) route(); });

// ---------------------------------------------------------------------------------------------
// One request.
async function renderRequest(params, id, token) {
  $('back').href = session.lastRequests;
  let record;
  try {
    record = (await api('/v1/generation', { id })).data;
  } catch (e) {
    if (e.status !== 404) throw e;
    if (token !== viewToken) return;
    $('request-body').hidden = true;
    $('request-missing').hidden = false;
    $('request-missing').textContent = `No request “${id}” here${session.who.kind === 'admin' ? '' : " (a team's key sees its own team's requests only)"}.`;
    setState('empty');
    return;
  }
  if (token !== viewToken) return;
  const e = { ...record, ...(session.entries.get(id) ?? {}) };
  $('request-body').hidden = false;
  $('request-missing').hidden = true;
  const outcome = outcomeOf(e);
  const attempts = e.attempts ?? [];
  $('request-title').textContent = `Request ${e.id}`;

  // How it was routed.
  let routing;
  if (e.cache_hit) {
    routing = `Served from the response cache — ${savedText(e)}${e.saved_cost === null || e.saved_cost === undefined ? '' : ' (what the kept answer cost when it was made)'}. Asked for ${e.model_requested || '(none)'}; no provider was called.`;
  } else if (outcome === 'rejected') {
    routing = `Refused by the gateway before any provider was tried${e.error ? `: ${e.error}` : ''}.`;
  } else {
    const asked = e.model_requested || '(none)';
    const served = e.model ? `${e.model} (${e.provider_name || '?'}: ${e.upstream_model || '?'})` : 'nothing';
    routing = outcome === 'ok'
      ? (asked === e.model ? `Asked for ${asked}; served by ${served}.` : `Asked for ${asked} → served as ${served}.`)
      : `Asked for ${asked}; no provider answered it successfully.`;
    if (attempts.length > 1) {
      const failedOnes = attempts.filter((a) => !a.success).map((a) => `${a.provider} ${a.model} (${a.status || 'no answer'})`);
      routing += ` Fallback: ${attempts.length} attempts; ${failedOnes.join(', ')} failed${outcome === 'ok' ? ` before ${attempts.at(-1).provider} answered` : ''}.`;
    }
    for (const a of attempts) {
      if (a.continued_at !== null && a.continued_at !== undefined) routing += ` ${a.provider} ${continuedText(a)}.`;
    }
  }
  $('request-routing').textContent = routing;

  const facts = [
    ['when', `${localTime(Date.parse(e.created_at))} (${e.created_at})`],
    ['outcome', h('span', {}, badge(e), ` HTTP ${e.status}`)],
    e.error ? ['error', e.error] : null,
    ['model asked for', e.model_requested || '—'],
    ['model served', e.model || '—'],
    ['provider · upstream model', e.provider_name ? `${e.provider_name} · ${e.upstream_model}` : '—'],
    ['latency', duration(e.latency)],
    ['time to first token', e.time_to_first_token === null || e.time_to_first_token === undefined ? (e.streamed ? '—' : 'not streamed') : duration(e.time_to_first_token)],
    e.cache_hit ? ['response cache', `hit: ${savedText(e)}`] : null,
    ['cost', e.priced === false ? (tokensOf(e) ? `unpriced: no list price for ${e.upstream_model || e.model}` : '—') : `${money(e.total_cost)} at list price${e.is_byok ? ' (your own provider key)' : ''}`],
    ['finish reason', e.finish_reason || '—'],
    ['streamed', e.streamed ? 'yes' : 'no'],
  ].filter(Boolean);
  $('request-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

  timeline(e, attempts);
  tokens(e);

  // What the headers and the key said (never a secret: the key's id, not the key).
  const context = [
    ['team', e.team || '—'],
    ['key id', e.key_id || '—'],
    ['user', e.user || '—'],
    ['endpoint', e.endpoint || '—'],
    ['use case (x-switchyard-use-case)', e.use_case || 'unspecified'],
    ['tags (x-switchyard-tags)', (e.tags ?? []).length ? e.tags.join(', ') : 'none'],
  ];
  if (e.headers && typeof e.headers === 'object') {
    for (const [k, v] of Object.entries(e.headers)) {
      if (/auth|key|token|secret|cookie|password|signature/i.test(k)) continue;
      context.push([k, String(v)]);
    }
  }
  $('request-context').replaceChildren(...context.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  setState('ready');
}

// An attempt that continued a stream cut on the one before it: after how much of the answer.
const continuedText = (a) => `continued the stream after ${count(a.continued_at)} bytes`;

// The attempts as bars on the request's clock.
function timeline(e, attempts) {
  const box = $('attempts');
  if (attempts.length === 0) {
    box.replaceChildren(h('p', { class: 'muted' }, e.cache_hit ? 'No attempt: served from the response cache.' : 'No attempt: the gateway answered without calling a provider.'));
    renderTable('attempts', 'attempts', [{ label: 'attempt', value: () => '' }], []);
    return;
  }
  const created = Date.parse(e.created_at);
  const starts = attempts.map(attemptStart);
  // created_at in whole seconds is no clock for milliseconds: the first attempt's start is then.
  const t0 = Number.isNaN(created) || !/\.\d/.test(e.created_at) ? Math.min(...starts) : Math.min(created, ...starts);
  const span = Math.max(1, e.latency ?? 0, ...attempts.map((a) => attemptEnd(a) - t0));
  const rows = attempts.map((a, i) => {
    const left = ((attemptStart(a) - t0) / span) * 100;
    const width = Math.max(0.6, ((attemptEnd(a) - attemptStart(a)) / span) * 100);
    const continued = a.continued_at !== null && a.continued_at !== undefined;
    const detail = `${a.success ? 'answered' : 'failed'} · ${a.status ? `HTTP ${a.status}` : 'no answer'} · ${duration(attemptEnd(a) - attemptStart(a))}${continued ? ` · ${continuedText(a)}` : ''}${a.error ? ` · ${a.error}` : ''}`;
    return h('div', { class: 'tl-row', dataset: { success: String(a.success), ...(continued ? { continuedAt: String(a.continued_at) } : {}) } },
      h('div', { class: 'tl-label' }, `#${i + 1} ${a.provider}`, h('span', { class: 'muted' }, `${a.model}${a.model_id && a.model_id !== a.model ? ` (${a.model_id})` : ''}`),
        h('span', { class: 'muted' }, detail)),
      h('div', { class: 'tl-track' }, h('div', { class: `tl-bar${a.success ? '' : ' failed'}`, title: detail,
        style: { left: `${Math.min(left, 99.4)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.4))}%` } })));
  });
  box.replaceChildren(...rows, h('div', { class: 'tl-axis' }, h('div', {}, 'since the request arrived'),
    h('div', {}, h('span', {}, '0'), h('span', {}, duration(span / 2)), h('span', {}, duration(span)))));
  renderTable('attempts', 'attempts', [
    { label: '#', value: (a) => attempts.indexOf(a) + 1, numeric: true },
    { label: 'provider', value: (a) => a.provider },
    { label: 'upstream model', value: (a) => a.model, wrap: true },
    { label: 'status', value: (a) => (a.status ? String(a.status) : 'none'), raw: (a) => a.status, numeric: true },
    { label: 'result', value: (a) => (a.success ? 'answered' : 'failed') },
    { label: 'start', value: (a) => `+${duration(attemptStart(a) - t0)}`, raw: (a) => attemptStart(a) - t0, numeric: true },
    { label: 'took', value: (a) => duration(attemptEnd(a) - attemptStart(a)), raw: (a) => attemptEnd(a) - attemptStart(a), numeric: true },
    { label: 'continued', value: (a) => (a.continued_at === null || a.continued_at === undefined ? '' : `after ${count(a.continued_at)} bytes`), raw: (a) => a.continued_at, numeric: true },
    { label: 'error', value: (a) => a.error ?? '', wrap: true },
  ], attempts);
}

function tokens(e) {
  const input = e.native_tokens_prompt ?? 0, output = e.native_tokens_completion ?? 0;
  const cached = e.native_tokens_cached ?? 0, written = e.native_tokens_cache_creation ?? 0, reasoning = e.native_tokens_reasoning ?? 0;
  const kinds = [
    { kind: 'input', n: input, note: 'everything sent, cached included' },
    { kind: '  of which read from cache', n: cached, note: '' },
    { kind: '  of which written to cache', n: written, note: '' },
    { kind: 'output', n: output, note: 'everything generated, reasoning included' },
    { kind: '  of which reasoning', n: reasoning, note: '' },
  ];
  const total = input + output;
  const parts = [
    ['input', Math.max(0, input - cached), '#1c7ed6'], ['cached input', cached, '#74c0fc'],
    ['output', Math.max(0, output - reasoning), '#f76707'], ['reasoning', reasoning, '#ffa94d'],
  ].filter(([, n]) => n > 0);
  $('token-bar').replaceChildren(...parts.map(([label, n, c]) => h('div', { title: `${label}: ${count(n)}`, style: { width: `${(n / total) * 100}%`, background: c } })));
  $('token-bar').hidden = total === 0;
  renderTable('tokens', 'tokens', [
    { label: 'kind', value: (r) => r.kind.trim(), cls: (r) => (r.kind.startsWith(' ') ? 'muted' : '') },
    { label: 'tokens', value: (r) => count(r.n), raw: (r) => r.n, numeric: true },
    { label: '', value: (r) => r.note, raw: () => '' },
  ], kinds, { caption: `${count(total)} tokens in all` });
}

// ---------------------------------------------------------------------------------------------
// Over time.
const TS_WINDOWS = {
  minute: [['15m', 'last 15 minutes', 15 * 60000], ['1h', 'last hour', 3600000], ['6h', 'last 6 hours', 6 * 3600000], ['24h', 'last 24 hours', 86400000 - 120000]],
  hour: [['24h', 'last 24 hours', 86400000], ['2d', 'last 2 days', 2 * 86400000], ['7d', 'last 7 days', 7 * 86400000], ['30d', 'last 30 days', 30 * 86400000]],
  day: [['7d', 'last 7 days', 7 * 86400000], ['30d', 'last 30 days', 30 * 86400000], ['90d', 'last 90 days', 90 * 86400000], ['365d', 'last year', 365 * 86400000]],
};
const TS_DEFAULT = { minute: '1h', hour: '2d', day: '30d' };
const ERROR_CLASSES = [['rejected', 'rejected by the gateway', '#ae3ec9'], ['rate_limited', 'rate limited (429)', '#f59f00'],
  ['upstream', 'provider errors (5xx)', '#fa5252'], ['client', 'other client errors (4xx)', '#1098ad'], ['cancelled', 'cancelled by the client', '#868e96']];

function fillWindows(grain, chosen) {
  const options = TS_WINDOWS[grain];
  $('ts-window').replaceChildren(...options.map(([v, label]) => h('option', { value: v }, label)));
  $('ts-window').value = options.some(([v]) => v === chosen) ? chosen : TS_DEFAULT[grain];
}
$('ts-grain').addEventListener('change', () => fillWindows($('ts-grain').value, TS_DEFAULT[$('ts-grain').value]));

function bucketLabel(t, grain) {
  const ms = Date.parse(t);
  if (grain === 'day') return t.slice(0, 10);
  const d = new Date(ms);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return grain === 'hour' ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}` : hm;
}

async function renderOverTime(params, _id, token) {
  const grain = TS_WINDOWS[params.get('grain')] ? params.get('grain') : 'minute';
  $('ts-grain').value = grain;
  fillWindows(grain, params.get('window'));
  const win = TS_WINDOWS[grain].find(([v]) => v === $('ts-window').value);
  const group = ['provider', 'model'].includes(params.get('group_by')) ? params.get('group_by') : '';
  $('ts-group').value = group;
  const top = String(Math.min(50, Math.max(1, Math.round(Number(params.get('top'))) || 8)));
  if (![...$('ts-top').options].some((o) => o.value === top)) $('ts-top').append(h('option', { value: top }, top));
  $('ts-top').value = top;
  $('ts-top').disabled = !group;
  const q = ['p50', 'p95', 'p99'].includes(params.get('q')) ? params.get('q') : 'p95';
  $('ts-q').value = q;
  const team = params.get('team') || undefined;
  let ts;
  try {
    ts = await api('/v1/timeseries', { grain, start: new Date(Date.now() - win[2]).toISOString(), group_by: group || undefined, top: group ? top : undefined, team });
  } catch (e) {
    if (!loadingHistory(e, token)) throw e;
    return;
  }
  if (token !== viewToken) return;
  const total = ts.series.find((s) => s.key === 'total') ?? ts.series[0];
  const groups = group ? ts.series.filter((s) => s !== total) : [];
  const scopeText = team ? ` of team “${team}”` : session.who.kind === 'team' && session.who.team ? ` of team “${session.who.team}”` : '';
  const sum = (s, f) => s.points.reduce((n, p) => n + f(p), 0);
  const requests = total ? sum(total, (p) => p.requests) : 0;
  const between = `between ${describeEdge(ts.start)} and ${describeEdge(ts.end)}`;
  if (!requests) {
    destroyCharts();
    $('ts-body').hidden = true;
    $('ts-note').hidden = true;
    $('ts-empty').hidden = false;
    $('ts-empty').textContent = `No requests${scopeText} ${between}. Pick a longer window or a coarser grain.`;
    $('ts-summary').textContent = '';
    setState('empty');
    return;
  }
  $('ts-body').hidden = false;
  $('ts-empty').hidden = true;
  $('ts-summary').textContent = `${count(requests)} requests${scopeText} ${between}, one point a ${grain}${group ? `, the top ${groups.filter((s) => s.key !== '(other)').length} by ${group} and the rest as (other)` : ''}.`;
  const unpriced = sum(total, (p) => p.unpriced ?? 0);
  $('ts-note').hidden = !unpriced;
  $('ts-note').textContent = `Spend is incomplete: ${count(unpriced)} requests in this window had no list price and count $0.`;

  const labels = total.points.map((p) => bucketLabel(p.t, grain));
  const titles = total.points.map((p) => (grain === 'day' ? `${p.t.slice(0, 10)} (UTC)` : localTime(Date.parse(p.t), false)));
  const lines = groups.length ? groups : [total];
  // A lone point between empty buckets gets a dot, or a line chart would not show it.
  const lone = (ctx) => {
    const d = ctx.dataset.data, i = ctx.dataIndex;
    return d[i] !== null && (d[i - 1] ?? null) === null && (d[i + 1] ?? null) === null ? 2.5 : 0;
  };
  const lineSet = (f, extra = {}) => lines.map((s, i) => ({
    label: truncate(s.key, 40), data: s.points.map(f), borderColor: groups.length ? colour(i) : '#1c7ed6', backgroundColor: groups.length ? colour(i) : '#1c7ed6',
    pointRadius: lone, borderWidth: 1.5, tension: 0.15, ...extra }));
  const xAxis = { ticks: { maxTicksLimit: 8, maxRotation: 0 } };
  const tooltip = (fmtValue) => ({ tooltip: { callbacks: { title: (items) => titles[items[0].dataIndex], label: (ctx) => `${ctx.dataset.label}: ${ctx.raw === null ? '—' : fmtValue(ctx.raw)}` } } });
  // Lines (rates, quantiles) or stacked bars (counts, whose bars' height is the total).
  const chart = (id, datasets, title, fmtValue, { bars = false } = {}) => draw(id, { type: bars ? 'bar' : 'line', data: { labels, datasets },
    options: { scales: { x: { ...xAxis, stacked: bars }, y: { stacked: bars, beginAtZero: true, title: { display: true, text: title }, ticks: { callback: fmtValue } } },
      plugins: tooltip(fmtValue) } });
  const barSet = (f) => lineSet(f).map((d) => ({ ...d, stack: 'all' }));
  const ms = (v) => duration(v);
  const per = grain;
  const perGroup = groups.length ? `, per ${group}, stacked (the bar's height is the total)` : '';

  chart('ts-requests', barSet((p) => p.requests), `requests per ${per}`, count, { bars: true });
  $('why-ts-requests').textContent = `Requests per ${per}, every outcome included${perGroup}.${
    groups.some((s) => s.key === '(no upstream)') ? ' (no upstream): refused before any provider was tried.' : ''}${
    groups.some((s) => s.key === '(response cache)') ? ' (response cache): served from the response cache.' : ''}`;

  if (groups.length) {
    $('ts-errors-title').textContent = 'Error rate';
    $('why-ts-errors').textContent = `Share of each ${group}'s requests per ${per} that did not succeed (rejected, rate limited, provider and client errors, cancelled).`;
    chart('ts-errors', lineSet((p) => (p.requests ? p.error_rate * 100 : null)), 'errors (% of requests)', (v) => pct(v / 100));
  } else {
    $('ts-errors-title').textContent = 'Errors by class';
    $('why-ts-errors').textContent = `Failed requests per ${per}, stacked by why: refused by the gateway, rate limited, provider errors, other client errors, cancelled.`;
    chart('ts-errors', ERROR_CLASSES.map(([k, label, c]) => ({ label, data: total.points.map((p) => p.errors?.[k] ?? 0), backgroundColor: c, borderColor: c, stack: 'e' })),
      `failed requests per ${per}`, count, { bars: true });
  }
  $('why-ts-spend').textContent = `List-price USD per ${per}${perGroup}; requests without a list price count $0 (the note above says how many).`;
  chart('ts-spend', barSet((p) => p.cost), `USD per ${per}`, money, { bars: true });
  if (groups.length) {
    $('why-ts-tokens').textContent = `Input + output tokens per ${per}${perGroup}.`;
    chart('ts-tokens', barSet((p) => p.input_tokens + p.output_tokens), `tokens per ${per}`, compact, { bars: true });
  } else {
    $('why-ts-tokens').textContent = `Tokens per ${per}: input (sent, cached included) and output (generated, reasoning included), stacked.`;
    chart('ts-tokens', [
      { label: 'input', data: total.points.map((p) => p.input_tokens), backgroundColor: '#1c7ed6', borderColor: '#1c7ed6', stack: 't' },
      { label: 'output', data: total.points.map((p) => p.output_tokens), backgroundColor: '#f76707', borderColor: '#f76707', stack: 't' },
    ], `tokens per ${per}`, compact, { bars: true });
  }
  const quantileSets = (field, names) => names.map(([k, c, dash]) => ({ label: k, data: total.points.map((p) => p[field]?.[k] ?? null), borderColor: c, backgroundColor: c, pointRadius: lone, borderWidth: 1.5, borderDash: dash }));
  if (groups.length) {
    $('why-ts-latency').textContent = `The ${q} latency per ${per} of each ${group}: the time from the request arriving to its last byte (empty where there were no requests).`;
    chart('ts-latency', lineSet((p) => p.latency_ms?.[q] ?? null), `${q} latency`, ms);
    const tq = q === 'p50' ? 'p50' : 'p99';
    $('why-ts-ttft').textContent = `The ${tq} time to first token per ${per} of each ${group}: how long streamed answers waited for their first byte.`;
    chart('ts-ttft', lineSet((p) => p.ttft_ms?.[tq] ?? null), `${tq} time to first token`, ms);
  } else {
    $('why-ts-latency').textContent = `Time from the request arriving to its last byte, per ${per}: half the requests were faster than p50, 95 % than p95, 99 % than p99.`;
    chart('ts-latency', quantileSets('latency_ms', [['p50', '#37b24d'], ['p95', '#f59f00'], ['p99', '#fa5252', [4, 3]]]), 'latency', ms);
    $('why-ts-ttft').textContent = `How long streamed answers waited for their first byte, per ${per} (empty where nothing streamed).`;
    chart('ts-ttft', quantileSets('ttft_ms', [['p50', '#37b24d'], ['p99', '#fa5252', [4, 3]]]), 'time to first token', ms);
  }
  chart('ts-rescue', lineSet((p) => (p.requests ? p.rescue_rate * 100 : null)), 'rescued (% of requests)', (v) => pct(v / 100));

  const rows = [...(groups.length ? [total] : []), ...lines].map((s) => {
    const r = sum(s, (p) => p.requests);
    const errors = sum(s, (p) => Object.values(p.errors ?? {}).reduce((a, b) => a + b, 0));
    return { key: s.key, requests: r, errors, error_rate: r ? errors / r : null, rescued: sum(s, (p) => p.rescued ?? 0),
      input: sum(s, (p) => p.input_tokens), output: sum(s, (p) => p.output_tokens), cost: sum(s, (p) => p.cost), unpriced: sum(s, (p) => p.unpriced ?? 0) };
  });
  renderTable('ts-totals', 'over-time', [
    { label: group || 'line', value: (r) => r.key, wrap: true },
    { label: 'requests', value: (r) => count(r.requests), raw: (r) => r.requests, numeric: true },
    { label: 'errors', value: (r) => `${count(r.errors)} (${pct(r.error_rate)})`, raw: (r) => r.errors, numeric: true },
    { label: 'rescued', value: (r) => count(r.rescued), raw: (r) => r.rescued, numeric: true },
    { label: 'input tokens', value: (r) => count(r.input), raw: (r) => r.input, numeric: true },
    { label: 'output tokens', value: (r) => count(r.output), raw: (r) => r.output, numeric: true },
    { label: 'spend', value: (r) => `${money(r.cost)}${r.unpriced ? '*' : ''}`, raw: (r) => r.cost, numeric: true },
    { label: 'unpriced requests', value: (r) => count(r.unpriced), raw: (r) => r.unpriced, numeric: true },
  ], rows);
  setState('ready');
}

$('ts-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  const team = parseHash().params.get('team');
  if (team) params.set('team', team);
  params.set('grain', $('ts-grain').value);
  params.set('window', $('ts-window').value);
  if ($('ts-group').value) {
    params.set('group_by', $('ts-group').value);
    params.set('top', $('ts-top').value);
  }
  params.set('q', $('ts-q').value);
  location.hash = hashOf('over-time', params);
});
for (const id of ['ts-grain', 'ts-window', 'ts-group', 'ts-top', 'ts-q']) $(id).addEventListener('change', () => $('ts-form').requestSubmit());

applyTheme();
boot();
