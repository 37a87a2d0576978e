// Plots GET /v1/performance/history as SVG line charts. No libraries: the page must work offline and
// under a strict Content-Security-Policy (no inline script or style, this origin only).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#1f6feb", "#cf222e", "#1a7f37", "#9a6700"];
const REFRESH_MS = 30000;
const WIDTH = 460;
const HEIGHT = 180;
const PAD = { left: 44, right: 10, top: 10, bottom: 24 };

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function currentKey() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromHash) {
    sessionStorage.setItem("nflp-key", fromHash);
    history.replaceState(null, "", location.pathname); // keep the key out of the address bar
  }
  return sessionStorage.getItem("nflp-key") || "";
}

function note(section, text, className) {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  section.append(p);
}

// series: [{label, points: [[time ms, value]...]}]; lines: [{label, value}] drawn dashed.
// options.empty: what to say when there is nothing to plot; options.note: a line under the chart.
function lineChart(sectionId, series, lines, unit, options = {}) {
  const section = document.getElementById(sectionId);
  section.querySelectorAll("svg, p").forEach((node) => node.remove());
  const all = series.flatMap((s) => s.points);
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "data-points": all.length });
  svg.setAttribute("aria-label", section.querySelector("h2").textContent);
  if (!all.length) {
    section.append(svg);
    note(section, options.empty || "no data in this history yet", "empty");
    return;
  }
  const times = all.map((p) => p[0]);
  const values = all.map((p) => p[1]).concat(lines.map((l) => l.value));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const v0 = Math.min(0, ...values);
  const v1 = Math.max(...values, v0 + 1) * 1.1;
  const x = (t) => PAD.left + ((WIDTH - PAD.left - PAD.right) * (t - t0)) / (t1 - t0);
  const y = (v) => HEIGHT - PAD.bottom - ((HEIGHT - PAD.top - PAD.bottom) * (v - v0)) / (v1 - v0);
  svg.append(el("line", { x1: PAD.left, y1: y(v0), x2: WIDTH - PAD.right, y2: y(v0), stroke: "#8c959f" }));
  svg.append(el("text", { x: 4, y: y(v1 / 1.1) + 4, "font-size": 10 }, `${+(v1 / 1.1).toPrecision(3)}${unit}`));
  svg.append(el("text", { x: 4, y: y(v0), "font-size": 10 }, `${v0}${unit}`));
  svg.append(el("text", { x: PAD.left, y: HEIGHT - 6, "font-size": 10 }, new Date(t0).toLocaleTimeString()));
  svg.append(el("text", { x: WIDTH - PAD.right, y: HEIGHT - 6, "font-size": 10, "text-anchor": "end" },
    new Date(t1).toLocaleTimeString()));
  lines.forEach((line) => {
    svg.append(el("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(line.value), y2: y(line.value),
      stroke: "#8c959f", "stroke-dasharray": "4 3", class: "threshold" }));
    svg.append(el("text", { x: WIDTH - PAD.right, y: y(line.value) - 3, "font-size": 10, "text-anchor": "end" },
      line.label));
  });
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const color = COLORS[i % COLORS.length];
    const path = s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
    svg.append(el("polyline", { points: path, fill: "none", stroke: color, "stroke-width": 1.5,
      class: "series", "data-label": s.label, "data-points": s.points.length }));
    s.points.forEach((p) => {
      // A larger transparent target around each point; its <title> is the browser's tooltip.
      const mark = el("circle", { cx: x(p[0]), cy: y(p[1]), r: 2, fill: color, class: "point" });
      const hit = el("circle", { cx: x(p[0]), cy: y(p[1]), r: 6, fill: "transparent", class: "hit" });
      const text = `${s.label}: ${+p[1].toPrecision(4)}${unit} at ${new Date(p[0]).toLocaleString()}`;
      hit.append(el("title", {}, text));
      mark.append(el("title", {}, text));
      svg.append(mark, hit);
    });
    svg.append(el("text", { x: PAD.left + 4 + i * 140, y: PAD.top + 8, "font-size": 11, fill: color }, s.label));
  });
  section.append(svg);
  if (options.note) note(section, options.note, "note");
}

function points(snapshots, pick) {
  return snapshots
    .map((s) => [Date.parse(s.taken_at), pick(s.summary)])
    .filter((p) => typeof p[1] === "number" && Number.isFinite(p[1]));
}

function render(history) {
  const snaps = history.snapshots;
  const limits = history.thresholds;
  lineChart("chart-latency", [
    { label: "p50", points: points(snaps, (s) => s.p50_ms) },
    { label: "p99", points: points(snaps, (s) => s.p99_ms) },
  ], [{ label: `SLO ${limits.latency_slo_ms} ms`, value: limits.latency_slo_ms }], "");
  lineChart("chart-cache", [
    { label: "hit rate", points: points(snaps, (s) => (s.cache_hit_rate == null ? null : 100 * s.cache_hit_rate)) },
  ], [{ label: `target ${100 * limits.cache_hit_rate}%`, value: 100 * limits.cache_hit_rate }], "");
  // Redis: say so when it is not configured rather than "no data" (REDIS_URL unset: in-process cache only).
  const latest = snaps.length ? snaps[snaps.length - 1].summary : {};
  const redisOff = snaps.length > 0 && (latest.redis_configured === false ||
    (latest.redis_configured === undefined && snaps.every((s) => s.summary.redis_connected == null)));
  lineChart("chart-redis", redisOff ? [] : [
    { label: "memory %", points: points(snaps, (s) => (s.redis_memory_ratio == null ? null : 100 * s.redis_memory_ratio)) },
    { label: "clients", points: points(snaps, (s) => s.redis_clients) },
  ], [{ label: `memory alert ${100 * limits.redis_memory_ratio}%`, value: 100 * limits.redis_memory_ratio }], "",
  { empty: redisOff ? "Redis is not configured (REDIS_URL is unset): only the in-process cache is in use"
    : undefined });
  // max_connections is a constant far above the data: shown as text, so the chart is scaled to the data.
  const maxConnections = latest.db_max_connections;
  lineChart("chart-database", [
    { label: "connections", points: points(snaps, (s) => s.db_connections) },
    { label: "slow queries", points: points(snaps, (s) => s.slow_queries) },
  ], [], "", { note: maxConnections ? `max_connections: ${maxConnections}` : undefined });
  const body = document.querySelector("#alerts tbody");
  body.replaceChildren();
  snaps.slice().reverse().forEach((s) => s.alerts.forEach((a) => {
    const row = document.createElement("tr");
    [new Date(s.taken_at).toLocaleString(), a.rule, a.severity, a.message].forEach((text, i) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      if (i === 2) cell.className = a.severity;
      row.append(cell);
    });
    body.append(row);
  }));
}

async function load() {
  const status = document.getElementById("status");
  const key = currentKey();
  if (!key) return;
  try {
    const response = await fetch("/v1/performance/history?limit=288", { headers: { "x-api-key": key } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : `HTTP ${response.status}`);
    render(body);
    status.className = "";
    status.textContent = `${body.count} snapshots (one per ${body.snapshot_interval_s} s per process at most); ` +
      `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    status.className = "error";
    status.textContent = `Could not load the history: ${error.message}`;
  }
}

document.getElementById("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("nflp-key", document.getElementById("api-key").value.trim());
  load();
});
load();
setInterval(load, REFRESH_MS);
