// The ops console's view: the DOM, the /actors/stream EventSource, the
// /metrics and /health polls and the chaos buttons. What the page knows
// lives in model.js (window.ParleyConsole); this file only draws it.
// Every URL is relative to the page (/ui), so a reverse proxy may serve the
// console under a path prefix.
(function () {
  "use strict";

  const M = window.ParleyConsole;
  const FLASH_MS = 1500;
  const POLL_MS = 2000;
  const REOPEN_MS = 1000;
  const TOKEN_KEY = "parley-ops-token";
  const SVG = "http://www.w3.org/2000/svg";
  const FAULTS = ["throw", "hang", "slow"];

  const tree = new M.ActorTree();
  const metrics = new M.MetricsHistory();
  const nodes = new Map(); // actor id -> its elements, kept so flashes survive redraws
  const flashTimers = new Map();
  const filter = { kind: "", guild: "" };
  let health = null;
  let source = null;

  // For tests and curious operators: what the page has seen so far.
  const probe = {
    status: "connecting", chaos: false, snapshots: 0, changes: 0, flashes: [],
    scrapes: 0, healthPolls: 0, kills: [],
  };
  window.opsConsole = probe;

  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ------------------------------------------------------------ the stream

  function setStatus(status) {
    probe.status = status;
    const s = $("status");
    s.className = `status ${status}`;
    s.textContent = {
      connecting: "connecting…",
      live: "● live",
      down: "disconnected — reconnecting",
    }[status];
  }

  // The browser reconnects an EventSource by itself after a network error
  // (the stream says `retry: 1000`); one that ended CLOSED (an HTTP error,
  // e.g. 503 with too many consoles) is replaced after REOPEN_MS.
  function connect() {
    const es = new EventSource("actors/stream");
    source = es;
    es.addEventListener("snapshot", (e) => source === es && guarded(onSnapshot, e));
    es.addEventListener("change", (e) => source === es && guarded(onChange, e));
    es.addEventListener("error", () => {
      if (source !== es) return;
      setStatus("down");
      if (es.readyState !== EventSource.CLOSED) return;
      es.close();
      source = null;
      setTimeout(connect, REOPEN_MS);
    });
  }

  // A bad event must not end the stream's handling: say so (on the page and
  // in the browser's console, where the tests look) and go on.
  function guarded(handle, event) {
    try {
      handle(JSON.parse(event.data));
    } catch (e) {
      console.error(`ops console: ${event.type} event:`, e);
      showMessage({ ok: false, text: `bad ${event.type} event: ${e.message}` });
    }
  }

  function onSnapshot(data) {
    tree.applySnapshot(data, Date.now());
    probe.snapshots += 1;
    probe.chaos = tree.chaos;
    // Fresh elements: after a parleyd restart the same ids are other actors.
    for (const n of nodes.values()) n.li.remove();
    nodes.clear();
    setStatus("live");
    render();
  }

  function onChange(data) {
    const flashes = tree.applyChange(data, Date.now());
    probe.changes += 1;
    render();
    for (const f of flashes) flash(f.id, f.type);
  }

  function render() {
    renderChaos();
    renderFilters();
    renderTree();
    renderSessions();
    renderEngines();
  }

  // -------------------------------------------------------------- the tree

  function rootList() {
    const box = $("tree");
    let ul = box.querySelector(":scope > ul");
    if (!ul) {
      box.replaceChildren();
      ul = el("ul", "children root");
      box.append(ul, el("p", "empty filtered-out"));
    }
    return ul;
  }

  function renderTree() {
    for (const [id, n] of nodes) {
      if (tree.get(id)) continue;
      n.li.remove();
      nodes.delete(id);
    }
    const shown = M.visibleIds(tree, filter);
    placeChildren(rootList(), tree.roots(), shown);
    const note = $("tree").querySelector(".filtered-out");
    note.textContent = tree.size() === 0 ? "no actors" : "no actor matches the filter";
    note.hidden = tree.size() > 0 && (shown === null || shown.size > 0);
    $("tree-count").textContent = shown ? `${shown.size} of ${tree.size()}` : `${tree.size()} actors`;
  }

  // Puts the actors' elements into `ul` in order, moving an element only
  // when it is out of place: moving restarts its flash animation.
  function placeChildren(ul, actors, shown) {
    let i = 0;
    for (const a of actors) {
      const n = nodes.get(a.id) || createNode(a.id);
      updateNode(n, a);
      n.li.hidden = shown !== null && !shown.has(a.id);
      if (ul.children[i] !== n.li) ul.insertBefore(n.li, ul.children[i] || null);
      i++;
      const kids = tree.childrenOf(a.id);
      placeChildren(n.kids, kids, shown);
      n.kids.hidden = kids.length === 0;
      // Workers side by side under their supervisor: a wide tree stays short.
      n.kids.classList.toggle("leaves", kids.length > 0 && kids.every((k) => !tree.isSupervisor(k)));
    }
    while (ul.children.length > i) ul.lastElementChild.remove();
  }

  function createNode(id) {
    const n = {
      li: el("li", "branch"),
      card: el("div", "node"),
      icon: el("span", "icon"),
      kind: el("span", "kind"),
      name: el("span", "name"),
      id: el("span", "id", `#${id}`),
      state: el("span", "state"),
      uptime: el("span", "uptime"),
      labels: el("div", "labels"),
      restarts: el("span", "restarts"),
      exit: el("div", "exit"),
      actions: el("span", "actions"),
      kids: el("ul", "children"),
      keys: {},
    };
    n.card.dataset.actorId = id;
    const head = el("div", "node-head");
    head.append(n.icon, n.kind, n.name, n.id, n.state, n.uptime, n.restarts, n.actions);
    n.card.append(head, n.labels, n.exit);
    n.li.append(n.card, n.kids);
    nodes.set(id, n);
    return n;
  }

  // Swaps one class of a family (state-*, kind-*) without touching the
  // others, the flash classes above all.
  function swapClass(n, family, value) {
    const cls = `${family}-${value}`;
    if (n.keys[family] === cls) return;
    if (n.keys[family]) n.card.classList.remove(n.keys[family]);
    n.card.classList.add(cls);
    n.keys[family] = cls;
  }

  function updateNode(n, a) {
    const supervisor = tree.isSupervisor(a);
    n.card.classList.toggle("supervisor", supervisor);
    n.card.classList.toggle("worker", !supervisor);
    swapClass(n, "kind", a.kind);
    swapClass(n, "state", a.state);
    n.card.dataset.kind = a.kind;
    n.card.dataset.restarts = String(a.restarts);
    n.icon.textContent = supervisor ? "◆" : "●";
    n.kind.textContent = a.kind;
    n.name.textContent = a.labels.name || "";
    n.state.textContent = a.state;
    n.uptime.textContent = M.formatUptime(M.uptimeOf(a, Date.now()));
    n.restarts.textContent = `↻ ${a.restarts}`;
    n.restarts.classList.toggle("hot", a.restarts > 0);
    n.restarts.title = "restarts";
    n.exit.textContent = a.last_exit ? `last exit: ${a.last_exit}` : "";
    n.exit.hidden = !a.last_exit;
    n.exit.classList.toggle("escalated", /escalat/i.test(a.last_exit || ""));
    updateLabels(n, a);
    updateActions(n, a);
  }

  function updateLabels(n, a) {
    const key = JSON.stringify(a.labels);
    if (n.keys.labels === key) return;
    n.keys.labels = key;
    const chips = Object.entries(a.labels)
      .filter(([k, v]) => k !== "name" && v !== "")
      .map(([k, v]) => {
        const chip = el("span", `label label-${k}`);
        chip.title = `${k}=${v}`;
        chip.append(el("span", "k", k), el("span", "v", v));
        return chip;
      });
    n.labels.replaceChildren(...chips);
    n.labels.hidden = chips.length === 0;
  }

  // Chaos buttons only when the server says chaos is on; engine hosts also
  // take a fault for their engine's next call.
  function updateActions(n, a) {
    const engine = a.kind === "engine_host" ? a.labels.engine || "" : "";
    const key = `${tree.chaos}|${engine}`;
    if (n.keys.actions === key) return;
    n.keys.actions = key;
    n.actions.replaceChildren();
    if (!tree.chaos) return;
    if (engine) {
      const kind = el("select", "fault-kind");
      kind.title = `fault for the next ${engine} call`;
      for (const f of FAULTS) kind.append(new Option(f, f));
      const inject = el("button", "fault", "inject");
      inject.type = "button";
      inject.title = `POST /faults/${engine}/{kind}/1`;
      n.actions.append(kind, inject);
    }
    const kill = el("button", "kill", "kill");
    kill.type = "button";
    kill.title = `POST /actors/${a.id}/kill`;
    n.actions.append(kill);
  }

  function flash(id, type) {
    const n = nodes.get(id);
    if (!n) return;
    const cls = `flash-${type}`;
    n.card.classList.remove("flash-restart", "flash-escalation");
    void n.card.offsetWidth; // a reflow, so the same animation starts again
    n.card.classList.add(cls);
    clearTimeout(flashTimers.get(id));
    flashTimers.set(id, setTimeout(() => {
      n.card.classList.remove(cls);
      flashTimers.delete(id);
    }, FLASH_MS));
    probe.flashes.push({ id, type, at: Date.now() });
  }

  // Uptimes tick once a second without a redraw.
  function tick() {
    const now = Date.now();
    for (const [id, n] of nodes) {
      const a = tree.get(id);
      if (a) n.uptime.textContent = M.formatUptime(M.uptimeOf(a, now));
    }
    renderSessions();
  }

  // --------------------------------------------------------------- filters

  // The options follow the tree; a chosen value stays even while nothing
  // has it (a guild between two calls).
  function syncOptions(select, values, chosen) {
    const all = chosen && !values.includes(chosen) ? [...values, chosen].sort() : values;
    const key = all.join("\n");
    if (select.dataset.key === key) return;
    select.dataset.key = key;
    select.replaceChildren(new Option("all", ""), ...all.map((v) => new Option(v, v)));
    select.value = chosen;
  }

  function renderFilters() {
    syncOptions($("filter-kind"), M.kindsOf(tree), filter.kind);
    syncOptions($("filter-guild"), M.guildsOf(tree), filter.guild);
  }

  // The filter lives in the query string too, so a filtered view is a link.
  function onFilter() {
    filter.kind = $("filter-kind").value;
    filter.guild = $("filter-guild").value;
    const query = new URLSearchParams();
    if (filter.kind) query.set("kind", filter.kind);
    if (filter.guild) query.set("guild", filter.guild);
    const search = query.toString();
    window.history.replaceState(null, "", search ? `?${search}` : location.pathname);
    renderTree();
  }

  // ---------------------------------------------------------- side panels

  function renderSessions() {
    const rows = M.sessionRows(tree, Date.now());
    const body = $("sessions").tBodies[0];
    body.replaceChildren(...rows.map((r) => {
      const tr = el("tr", "session");
      tr.dataset.guild = r.guild;
      tr.dataset.actorId = r.id;
      const turn = el("td");
      turn.append(el("span", `pill turn-${r.state}`, r.state));
      const restarts = el("td", r.restarts > 0 ? "num hot" : "num", r.restarts);
      tr.append(el("td", "guild", r.guild), el("td", "users", r.users.join(", ") || "—"), turn,
        el("td", "num", M.formatUptime(r.uptime_s)), restarts);
      return tr;
    }));
    $("sessions-empty").hidden = rows.length > 0;
    $("session-count").textContent = rows.length ? String(rows.length) : "";
  }

  function renderEngines() {
    renderHealth();
    const rows = M.engineRows(tree, health);
    $("engines").replaceChildren(...rows.map(engineCard));
  }

  function renderHealth() {
    const status = health ? health.status || "?" : "…";
    const pill = $("health-status");
    pill.className = `pill health-${status}`;
    pill.textContent = status;
    pill.title = health && health.version ? `parleyd ${health.version} (${health.revision || ""})` : "";
    const checks = Object.entries((health && health.checks) || {});
    $("checks").replaceChildren(...checks.map(([name, v]) => {
      const ok = v === "ok" || v === true;
      const chip = el("span", `check ${ok ? "ok" : "bad"}`, ok ? name : `${name}: ${v}`);
      chip.title = `${name}: ${typeof v === "string" ? v : JSON.stringify(v)}`;
      return chip;
    }));
  }

  function engineCard(r) {
    const card = el("div", `engine state-${r.state}`);
    const head = el("div", "engine-head");
    head.append(el("span", "engine-name", r.engine), el("span", "engine-impl", r.name),
      el("span", "state", r.state), el("span", r.restarts > 0 ? "restarts hot" : "restarts", `↻ ${r.restarts}`));
    card.append(head);
    for (const p of r.providers) card.append(providerLine(p));
    if (!r.providers.length && r.labels.provider) card.append(providerLine(r.labels));
    return card;
  }

  // A remote provider: its breaker, and what failed or fell back. From
  // /health, or the engine host's labels when /health has none.
  function providerLine(p) {
    const line = el("div", "provider");
    const breaker = String(p.breaker || "closed");
    line.append(el("span", "provider-name", p.provider || "?"),
      el("span", `pill breaker-${breaker.replace(/[^a-z]/g, "")}`, `breaker ${breaker}`),
      el("span", "stat", `calls ${p.calls ?? "—"}`),
      el("span", Number(p.failures) > 0 ? "stat hot" : "stat", `failures ${p.failures ?? 0}`),
      el("span", Number(p.fallbacks) > 0 ? "stat warm" : "stat", `fallbacks ${p.fallbacks ?? 0}`));
    if (p.last_failure) {
      const last = el("div", "last-failure", `last failure: ${p.last_failure}`);
      last.title = String(p.last_failure);
      line.append(last);
    }
    return line;
  }

  // ---------------------------------------------------------------- charts

  const W = 340;
  const H = 120;
  const PAD = { l: 40, r: 8, t: 8, b: 18 };

  // A nice ceiling for the y axis: 1, 2 or 5 times a power of ten.
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
  }

  // The same for counts, even so the middle line is a whole number too.
  function niceCount(v) {
    const m = niceMax(Math.max(2, v));
    return m % 2 ? m + 1 : m;
  }

  function chartFrame(yMax, yLabel) {
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", role: "img" });
    for (let i = 0; i <= 2; i++) {
      const y = PAD.t + ((H - PAD.t - PAD.b) * i) / 2;
      svg.append(svgEl("line", { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: "grid" }));
      svg.append(svgEl("text", { x: PAD.l - 4, y: y + 3, class: "axis end" }, yLabel(yMax * (1 - i / 2))));
    }
    svg.append(svgEl("text", { x: PAD.l, y: H - 4, class: "axis" }, "−5 min"));
    svg.append(svgEl("text", { x: W - PAD.r, y: H - 4, class: "axis end" }, "now"));
    return svg;
  }

  // Polylines of one series, broken where a window had no turns.
  function lines(points, x, y, cls) {
    const out = [];
    let run = [];
    const flush = () => {
      if (run.length === 1) out.push(svgEl("circle", { cx: run[0][0], cy: run[0][1], r: 1.8, class: `dot ${cls}` }));
      if (run.length > 1) out.push(svgEl("polyline", { points: run.map((p) => p.join(",")).join(" "), class: `line ${cls}` }));
      run = [];
    };
    for (const p of points) {
      if (p.v === null) flush();
      else run.push([x(p.t).toFixed(1), y(p.v).toFixed(1)]);
    }
    flush();
    return out;
  }

  function drawLatency(now) {
    const series = metrics.latencySeries(10000);
    const overall = metrics.latencyOverall();
    const yMax = niceMax(Math.max(0, ...series.map((s) => s.p95 || 0)));
    const x = (t) => PAD.l + ((W - PAD.l - PAD.r) * (t - (now - metrics.spanMs))) / metrics.spanMs;
    const y = (v) => H - PAD.b - ((H - PAD.t - PAD.b) * Math.min(v, yMax)) / yMax;
    const svg = chartFrame(yMax, (v) => M.formatSeconds(v).replace(" ", ""));
    svg.append(...lines(series.map((s) => ({ t: s.t, v: s.p95 })), x, y, "p95"));
    svg.append(...lines(series.map((s) => ({ t: s.t, v: s.p50 })), x, y, "p50"));
    const legend = el("div", "legend");
    legend.append(el("span", "key p50", `p50 ${M.formatSeconds(overall.p50)}`),
      el("span", "key p95", `p95 ${M.formatSeconds(overall.p95)}`),
      el("span", "key", `${overall.count} turns`));
    $("latency").replaceChildren(legend, svg);
  }

  function drawRestarts(now) {
    const cols = metrics.restartColumns(now, 10000);
    const perKind = metrics.perKind("restarts");
    const escalations = metrics.perKind("escalations");
    const yMax = niceCount(Math.max(...cols));
    const svg = chartFrame(yMax, (v) => String(Math.round(v)));
    const cw = (W - PAD.l - PAD.r) / cols.length;
    cols.forEach((c, i) => {
      if (!c) return;
      const h = ((H - PAD.t - PAD.b) * c) / yMax;
      svg.append(svgEl("rect", { x: PAD.l + i * cw + 1, y: H - PAD.b - h, width: Math.max(1, cw - 2), height: h, class: "bar" }));
    });
    const kinds = Object.keys({ ...perKind, ...escalations })
      .sort((a, b) => (perKind[b] || 0) - (perKind[a] || 0));
    const list = el("div", "kinds");
    const most = Math.max(1, ...Object.values(perKind));
    for (const k of kinds) list.append(kindBar(k, perKind[k] || 0, escalations[k] || 0, most));
    if (!kinds.length) list.append(el("p", "empty", "no restarts in the last 5 minutes"));
    $("restarts").replaceChildren(svg, list);
  }

  // One kind's restarts as a horizontal bar (an SVG: no inline styles).
  function kindBar(kind, n, escalations, most) {
    const row = el("div", "kind-row");
    const bar = svgEl("svg", { viewBox: "0 0 100 8", preserveAspectRatio: "none", class: "kind-bar" });
    bar.append(svgEl("rect", { x: 0, y: 0, width: Math.max(1, (100 * n) / most), height: 8, class: "bar" }));
    row.append(el("span", "kind-name", kind), bar, el("span", "num", n));
    if (escalations) row.append(el("span", "escalations", `⇧ ${escalations} escalated`));
    return row;
  }

  // ------------------------------------------------------------------ polls

  // One request at a time per source: the next starts POLL_MS after the
  // previous answered, so a slow server is never stormed.
  function poll(url, handle) {
    const once = async () => {
      try {
        handle(await fetch(url, { cache: "no-store" }));
      } catch (e) {
        handle(null);
      }
      setTimeout(once, POLL_MS);
    };
    once();
  }

  async function onMetrics(res) {
    if (!res || !res.ok) return;
    metrics.add(M.parsePrometheus(await res.text()), Date.now());
    probe.scrapes += 1;
    drawLatency(Date.now());
    drawRestarts(Date.now());
  }

  async function onHealth(res) {
    // 503 still has the body that says why.
    health = res ? await res.json().catch(() => ({ status: `HTTP ${res.status}` })) : { status: "unreachable" };
    probe.healthPolls += 1;
    renderEngines();
  }

  // ------------------------------------------------------------------ chaos

  function renderChaos() {
    $("chaos").hidden = !tree.chaos;
  }

  function showMessage(result) {
    const m = $("message");
    m.className = `message ${result.ok ? "ok" : "err"}`;
    m.textContent = `${new Date().toLocaleTimeString()} ${result.text}`;
  }

  async function chaosRequest(what, path) {
    const token = $("token").value.trim();
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    let result;
    try {
      const res = await fetch(path, { method: "POST", headers });
      const body = await res.json().catch(() => null);
      result = M.actionResult(what, res.status, body);
      result.status = res.status;
    } catch (e) {
      result = { ok: false, text: `${what}: ${e.message}`, status: 0 };
    }
    showMessage(result);
    return result;
  }

  async function onTreeClick(e) {
    const button = e.target.closest("button");
    const card = button && button.closest(".node");
    if (!card) return;
    const id = Number(card.dataset.actorId);
    if (button.classList.contains("kill")) {
      const r = await chaosRequest(`kill actor ${id}`, `actors/${id}/kill`);
      probe.kills.push({ id, status: r.status });
    } else if (button.classList.contains("fault")) {
      const a = tree.get(id);
      const kind = card.querySelector("select.fault-kind").value;
      const engine = a && a.labels.engine;
      if (engine) await chaosRequest(`${kind} fault on ${engine}`, `faults/${encodeURIComponent(engine)}/${kind}/1`);
    }
  }

  // ------------------------------------------------------------------- start

  function start() {
    const token = $("token");
    token.value = sessionStorage.getItem(TOKEN_KEY) || "";
    token.addEventListener("input", () => sessionStorage.setItem(TOKEN_KEY, token.value));
    $("chaos").addEventListener("submit", (e) => e.preventDefault()); // Enter must not reload
    $("filter-kind").addEventListener("change", onFilter);
    $("filter-guild").addEventListener("change", onFilter);
    $("tree").addEventListener("click", onTreeClick);
    const query = new URLSearchParams(location.search);
    filter.kind = query.get("kind") || "";
    filter.guild = query.get("guild") || "";
    setStatus("connecting");
    connect();
    poll("metrics", onMetrics);
    poll("health", onHealth);
    setInterval(tick, 1000);
  }

  start();
})();
