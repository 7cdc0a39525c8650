// The dashboard: reads GET /v1/insights for the chosen days and team, and draws it with Chart.js.
// document.body.dataset.state says 'loading', 'ready' or 'error' (the headless test waits on it).
'use strict';

const percent = (x) => Math.round(x * 1000) / 10;
const charts = [];
window.switchyardCharts = charts;

function day(offset) {
  const d = new Date(Date.now() + offset * 86400000);
  return d.toISOString().slice(0, 10);
}

function draw(id, config) {
  const chart = new Chart(document.getElementById(id), { ...config, options: { animation: false, responsive: true, ...config.options } });
  charts.push(chart);
}

function shareBars(id, rows) {
  draw(id, {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.key),
      datasets: [
        { label: 'spend %', data: rows.map((r) => percent(r.spend_share)), backgroundColor: '#d9480f' },
        { label: 'tokens %', data: rows.map((r) => percent(r.token_share)), backgroundColor: '#1971c2' },
      ],
    },
    options: { scales: { y: { beginAtZero: true, max: 100 } } },
  });
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
    series.get(name).set(r.day, percent(r.share));
  }
  draw('adoption', {
    type: 'line',
    data: { labels: days, datasets: [...series].map(([label, byDay]) => ({ label, data: days.map((d) => byDay.get(d) ?? 0) })) },
    options: { scales: { y: { beginAtZero: true, max: 100 } } },
  });
}

// Cells are filled with textContent: model ids and team names come from clients' requests.
function leaderboard(insights) {
  const table = document.getElementById('leaderboard');
  const row = (cells, tag) => {
    const tr = table.insertRow();
    for (const [text, numeric] of cells) {
      const cell = document.createElement(tag);
      cell.textContent = text;
      if (numeric) cell.className = 'n';
      tr.appendChild(cell);
    }
  };
  table.replaceChildren();
  row([['#'], ['by tokens'], ['tokens', true], ['by spend'], ['cost', true]], 'th');
  insights.leaderboard.by_tokens.forEach((r, i) => {
    const spend = insights.leaderboard.by_spend[i];
    row([[i + 1, true], [r.key], [r.tokens.toLocaleString(), true], [spend.key], [`$${spend.cost.toFixed(4)}`, true]], 'td');
  });
}

async function load() {
  document.body.dataset.state = 'loading';
  document.getElementById('error').textContent = '';
  const key = document.getElementById('key').value;
  localStorage.setItem('switchyard-key', key);
  const params = new URLSearchParams({ start_date: document.getElementById('from').value, end_date: document.getElementById('to').value });
  const team = document.getElementById('team').value.trim();
  if (team) params.set('team', team);
  const headers = key ? { authorization: `Bearer ${key}` } : {};
  const response = await fetch(`/v1/insights?${params}`, { headers });
  const insights = await response.json();
  if (!response.ok) {
    document.getElementById('error').textContent = insights.error?.message ?? `HTTP ${response.status}`;
    document.body.dataset.state = 'error';
    return;
  }
  charts.splice(0).forEach((c) => c.destroy());
  const t = insights.totals;
  // What the key's budgets have left this period (GET /v1/credits): the tightest one.
  const credits = await fetch('/v1/credits', { headers });
  const balance = credits.ok ? (await credits.json()).balance : null;
  const budget = balance === null ? '' : balance === 'unlimited' ? ' · no budget on this key'
    : ` · $${Number(balance).toFixed(4)} of this key's budget left this period`;
  document.getElementById('totals').textContent =
    `${t.requests.toLocaleString()} requests · ${t.tokens.toLocaleString()} tokens · $${t.cost.toFixed(4)} at list price${budget}`;
  shareBars('by-provider', insights.by_provider);
  shareBars('by-model', insights.by_model);
  shareBars('by-use-case', insights.by_use_case);
  shareBars('by-segment', insights.by_segment);
  draw('agentic', {
    type: 'bar',
    data: { labels: ['share of requests', 'share of tokens'],
      datasets: [{ label: '%', data: [percent(insights.agentic.request_share), percent(insights.agentic.token_share)], backgroundColor: '#2f9e44' }] },
    options: { scales: { y: { beginAtZero: true, max: 100 } } },
  });
  draw('rescue', {
    type: 'bar',
    data: { labels: ['requests', 'tokens', 'dollars'],
      datasets: [{ label: '% rescued', data: [insights.rescue.request_rate, insights.rescue.token_rate, insights.rescue.cost_rate].map(percent), backgroundColor: '#f08c00' }] },
    options: { scales: { y: { beginAtZero: true } } },
  });
  draw('uptime', {
    type: 'bar',
    data: { labels: insights.uptime.map((u) => u.provider), datasets: [
      { label: 'per request %', data: insights.uptime.map((u) => percent(u.request_uptime)), backgroundColor: '#868e96' },
      { label: 'cost-weighted %', data: insights.uptime.map((u) => (u.cost_weighted_uptime === null ? null : percent(u.cost_weighted_uptime))), backgroundColor: '#5f3dc4' },
    ] },
    options: { scales: { y: { beginAtZero: true, max: 100 } } },
  });
  draw('models-per-team', {
    type: 'bar',
    data: { labels: insights.models_per_team.map((b) => `${b.bucket} requests (${b.teams} teams)`),
      datasets: [{ label: 'average distinct models', data: insights.models_per_team.map((b) => b.avg_models), backgroundColor: '#0c8599' }] },
    options: { scales: { y: { beginAtZero: true } } },
  });
  adoptionLines(insights.adoption);
  leaderboard(insights);
  document.body.dataset.state = 'ready';
}

document.getElementById('from').value = day(-30);
document.getElementById('to').value = day(0);
document.getElementById('key').value = localStorage.getItem('switchyard-key') ?? '';
document.getElementById('apply').addEventListener('click', () => load().catch(fail));
function fail(error) {
  document.getElementById('error').textContent = String(error);
  document.body.dataset.state = 'error';
}
load().catch(fail);
