// The ops console's model: everything the page knows, with no DOM, so the
// unit tests run it in Node. The actor tree fed by /actors/stream and the
// flashes its changes imply, the filters, the sessions and engines panels'
// rows, and the metrics arithmetic (Prometheus text, counter and histogram
// deltas between scrapes across a parleyd restart, percentiles).
// Loaded by the page as a classic script (window.ParleyConsole) and by Node
// (module.exports).
(function (root, factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module && module.exports) module.exports = api;
  else root.ParleyConsole = api;
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  // ---------------------------------------------------------------- the tree

  // States in which an actor's uptime keeps growing between events.
  const TICKING = new Set(["running", "starting"]);

  // One stream record, stamped with the page's clock: the server's uptime
  // is as of sending, the page adds the time since it received it.
  function stamp(actor, now) {
    return {
      id: actor.id,
      kind: actor.kind,
      parent: actor.parent || 0,
      labels: actor.labels || {},
      state: actor.state,
      restarts: actor.restarts || 0,
      last_exit: actor.last_exit || null,
      uptime_s: actor.uptime_s || 0,
      receivedAt: now,
    };
  }

  function byId(a, b) {
    return a.id - b.id;
  }

  class ActorTree {
    constructor() {
      this.actors = new Map();
      this.chaos = false;
      this.snapshots = 0;
      this.index = null; // parent id -> children, rebuilt lazily after a change
    }

    // A snapshot replaces everything: after a reconnect the server may be a
    // new process, whose ids name other actors.
    applySnapshot(snapshot, now) {
      this.actors = new Map();
      this.chaos = Boolean(snapshot && snapshot.chaos);
      for (const a of (snapshot && snapshot.actors) || []) this.actors.set(a.id, stamp(a, now));
      this.index = null;
      this.snapshots += 1;
    }

    // Upserts (whole records) then removals; returns the flashes they imply,
    // [{id, type: 'restart'|'escalation'}]. An actor supervises if it had
    // children before the change or has them after: a restarted supervisor's
    // old children may be gone and its new ones not yet there.
    applyChange(change, now) {
      const before = [];
      for (const a of (change && change.upsert) || []) {
        before.push([this.actors.get(a.id), a, this.childrenOf(a.id).length > 0]);
      }
      for (const [, a] of before) this.actors.set(a.id, stamp(a, now));
      for (const id of (change && change.remove) || []) this.actors.delete(id);
      this.index = null;
      const flashes = [];
      for (const [prev, next, hadChildren] of before) {
        if (!this.actors.has(next.id)) continue;
        const type = detectFlash(prev, next, hadChildren || this.childrenOf(next.id).length > 0);
        if (type) flashes.push({ id: next.id, type });
      }
      return flashes;
    }

    get(id) {
      return this.actors.get(id);
    }

    size() {
      return this.actors.size;
    }

    // Actors whose parent is not in the tree (the root, or an orphan whose
    // parent's removal arrived first) are drawn at the top.
    roots() {
      return this.childrenOf(0).concat(
        [...this.actors.values()].filter((a) => a.parent && !this.actors.has(a.parent)).sort(byId));
    }

    childrenOf(id) {
      if (!this.index) this.index = buildIndex(this.actors);
      return this.index.get(id) || [];
    }

    isSupervisor(actor) {
      return actor.kind === "supervisor" || this.childrenOf(actor.id).length > 0;
    }

    // The guild an actor works for: its own label, else its nearest
    // ancestor's (jobs carry only user and turn; their session has the guild).
    guildOf(actor) {
      for (let a = actor, hops = 0; a && hops < 64; a = this.actors.get(a.parent), hops++) {
        if (a.labels && a.labels.guild) return a.labels.guild;
      }
      return null;
    }

    // Tree order: parents before children, siblings by id.
    ordered() {
      const out = [];
      const visit = (a) => {
        out.push(a);
        for (const c of this.childrenOf(a.id)) visit(c);
      };
      for (const r of this.roots()) visit(r);
      return out;
    }
  }

  function buildIndex(actors) {
    const index = new Map();
    for (const a of actors.values()) {
      if (!index.has(a.parent)) index.set(a.parent, []);
      index.get(a.parent).push(a);
    }
    for (const list of index.values()) list.sort(byId);
    return index;
  }

  // 'restart' when an actor's restarts went up; 'escalation' when what
  // restarted was a supervisor (its whole subtree went with it) or the exit
  // says a supervisor gave up. Nothing for a new actor: it did not restart.
  function detectFlash(prev, next, hasChildren) {
    if (!prev) return null;
    const exit = String(next.last_exit || "");
    const escalated = /escalat/i.test(exit);
    if ((next.restarts || 0) > (prev.restarts || 0)) {
      return escalated || hasChildren || next.kind === "supervisor" ? "escalation" : "restart";
    }
    if (escalated && exit !== String(prev.last_exit || "")) return "escalation";
    return null;
  }

  // Seconds an actor has been up as of `now` (page clock, ms).
  function uptimeOf(actor, now) {
    if (!TICKING.has(actor.state)) return actor.uptime_s;
    return actor.uptime_s + Math.max(0, now - actor.receivedAt) / 1000;
  }

  // ------------------------------------------------------------- filtering

  function matches(tree, actor, filter) {
    if (filter.kind && actor.kind !== filter.kind) return false;
    if (filter.guild && tree.guildOf(actor) !== filter.guild) return false;
    return true;
  }

  // The ids to draw: those matching the filter and their ancestors, so a
  // match is still seen where it sits. null when nothing is filtered.
  function visibleIds(tree, filter) {
    if (!filter || (!filter.kind && !filter.guild)) return null;
    const shown = new Set();
    for (const a of tree.actors.values()) {
      if (!matches(tree, a, filter)) continue;
      for (let p = a; p && !shown.has(p.id); p = tree.get(p.parent)) shown.add(p.id);
    }
    return shown;
  }

  function uniqueSorted(values) {
    return [...new Set(values.filter(Boolean))].sort();
  }

  function kindsOf(tree) {
    return uniqueSorted([...tree.actors.values()].map((a) => a.kind));
  }

  function guildsOf(tree) {
    return uniqueSorted([...tree.actors.values()].map((a) => a.labels.guild));
  }

  // ------------------------------------------------------------ side panels

  // One row per guild_session: who is in it (its audio_streams' users) and
  // where its turn is (its `state` label).
  function sessionRows(tree, now) {
    return [...tree.actors.values()]
      .filter((a) => a.kind === "guild_session")
      .map((s) => ({
        id: s.id,
        guild: s.labels.guild || "?",
        users: uniqueSorted(tree.childrenOf(s.id)
          .filter((c) => c.kind === "audio_stream")
          .map((c) => c.labels.user)),
        state: s.labels.state || "unknown",
        actorState: s.state,
        restarts: s.restarts,
        uptime_s: uptimeOf(s, now),
      }))
      .sort((a, b) => (a.guild < b.guild ? -1 : a.guild > b.guild ? 1 : a.id - b.id));
  }

  // One row per engine_host with the /health providers serving its engine;
  // providers whose host is not in the tree get a row of their own.
  function engineRows(tree, health) {
    const providers = (health && Array.isArray(health.providers)) ? health.providers : [];
    const hosts = [...tree.actors.values()].filter((a) => a.kind === "engine_host").sort(byId);
    const rows = hosts.map((h) => ({
      id: h.id,
      engine: h.labels.engine || "?",
      name: h.labels.name || "",
      state: h.state,
      restarts: h.restarts,
      last_exit: h.last_exit,
      labels: h.labels,
      providers: providers.filter((p) => p.engine === h.labels.engine),
    }));
    const served = new Set(rows.map((r) => r.engine));
    for (const p of providers) {
      if (served.has(p.engine)) continue;
      rows.push({ id: null, engine: p.engine, name: "", state: "absent", restarts: 0,
        last_exit: null, labels: {}, providers: [p] });
      served.add(p.engine);
    }
    return rows;
  }

  // ------------------------------------------------------ Prometheus text

  function parseValue(text) {
    if (text === undefined || text === "") return undefined;
    if (text === "+Inf" || text === "Inf") return Infinity;
    if (text === "-Inf") return -Infinity;
    if (text === "NaN") return NaN;
    const v = Number(text);
    return Number.isNaN(v) ? undefined : v;
  }

  const UNESCAPE = { n: "\n", "\\": "\\", '"': '"' };

  // Reads `key="value",...}` from `line` at `i` into `labels`; returns the
  // index after the closing brace, or -1 when the line is malformed.
  function parseLabels(line, i, labels) {
    for (;;) {
      while (line[i] === " " || line[i] === ",") i++;
      if (line[i] === "}") return i + 1;
      const eq = line.indexOf("=", i);
      if (eq < 0 || line[eq + 1] !== '"') return -1;
      const key = line.slice(i, eq).trim();
      let j = eq + 2;
      let value = "";
      while (j < line.length && line[j] !== '"') {
        if (line[j] === "\\" && j + 1 < line.length) {
          const c = line[j + 1];
          value += c in UNESCAPE ? UNESCAPE[c] : "\\" + c;
          j += 2;
        } else {
          value += line[j++];
        }
      }
      if (j >= line.length) return -1;
      labels[key] = value;
      i = j + 1;
    }
  }

  function parseSample(line) {
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!m) return null;
    const labels = {};
    let i = m[0].length;
    if (line[i] === "{") {
      i = parseLabels(line, i + 1, labels);
      if (i < 0) return null;
    }
    const value = parseValue(line.slice(i).trim().split(/\s+/)[0]);
    return value === undefined ? null : { name: m[0], labels, value };
  }

  // The text exposition format into [{name, labels, value}]; comments,
  // blank and malformed lines are skipped, timestamps ignored.
  function parsePrometheus(text) {
    const samples = [];
    for (const raw of String(text).split("\n")) {
      const line = raw.trim();
      if (!line || line[0] === "#") continue;
      const s = parseSample(line);
      if (s) samples.push(s);
    }
    return samples;
  }

  // Sum of a metric's samples by one label: {labelValue: sum}.
  function sumBy(samples, name, label) {
    const out = {};
    for (const s of samples) {
      if (s.name !== name) continue;
      const key = s.labels[label] || "";
      out[key] = (out[key] || 0) + s.value;
    }
    return out;
  }

  function firstValue(samples, name) {
    const s = samples.find((x) => x.name === name);
    return s ? s.value : null;
  }

  // A histogram's cumulative buckets, [{le, count}] by le ascending.
  function histogramBuckets(samples, name) {
    const byLe = new Map();
    for (const s of samples) {
      if (s.name !== name + "_bucket" || s.labels.le === undefined) continue;
      const le = parseValue(s.labels.le);
      byLe.set(le, (byLe.get(le) || 0) + s.value);
    }
    return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  }

  // ------------------------------------------------ deltas and quantiles

  // A counter's increase; a counter that went down was reset (the process
  // restarted), and all of its new value is increase.
  function counterDelta(prev, cur) {
    if (prev === undefined || prev === null) return cur;
    return cur >= prev ? cur - prev : cur;
  }

  function countersDelta(prev, cur, reset) {
    const out = {};
    for (const [k, v] of Object.entries(cur)) out[k] = reset ? v : counterDelta(prev[k] || 0, v);
    return out;
  }

  // The observations between two scrapes of a histogram, as cumulative
  // buckets. Any bucket going down, or other bucket bounds, means a reset:
  // then the current buckets are all new.
  function histogramDelta(prev, cur, reset) {
    if (reset || !prev || prev.length !== cur.length) return cur.map((b) => ({ ...b }));
    const out = [];
    for (let i = 0; i < cur.length; i++) {
      if (prev[i].le !== cur[i].le || cur[i].count < prev[i].count) return cur.map((b) => ({ ...b }));
      out.push({ le: cur[i].le, count: cur[i].count - prev[i].count });
    }
    return out;
  }

  function addBuckets(into, add) {
    const byLe = new Map(into.map((b) => [b.le, b.count]));
    for (const b of add) byLe.set(b.le, (byLe.get(b.le) || 0) + b.count);
    return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  }

  // histogram_quantile as Prometheus computes it: linear inside the bucket
  // the rank falls in; the +Inf bucket answers with the highest finite bound.
  // null when the buckets hold no observation.
  function histogramQuantile(q, buckets) {
    if (!buckets || !buckets.length) return null;
    const total = buckets[buckets.length - 1].count;
    if (!(total > 0)) return null;
    const rank = q * total;
    let i = buckets.findIndex((b) => b.count >= rank);
    if (i < 0) i = buckets.length - 1;
    if (buckets[i].le === Infinity) return i > 0 ? buckets[i - 1].le : null;
    const lower = i === 0 ? 0 : buckets[i - 1].le;
    const below = i === 0 ? 0 : buckets[i - 1].count;
    const inside = buckets[i].count - below;
    if (inside <= 0) return buckets[i].le;
    return lower + ((buckets[i].le - lower) * (rank - below)) / inside;
  }

  // -------------------------------------------------------- chart history

  const LATENCY = "parley_turn_latency_seconds";
  const RESTARTS = "parley_actor_restarts_total";
  const ESCALATIONS = "parley_supervisor_escalations_total";
  const START = "process_start_time_seconds";

  // What one scrape says about the charts' metrics.
  function summarize(samples) {
    return {
      start: firstValue(samples, START),
      latency: histogramBuckets(samples, LATENCY),
      restarts: sumBy(samples, RESTARTS, "kind"),
      escalations: sumBy(samples, ESCALATIONS, "kind"),
    };
  }

  // The last span (5 min) of scrapes as steps: what happened between two
  // scrapes. Steps, not raw scrapes, so a parleyd restart in the middle of
  // the span costs nothing: each step is computed across it once.
  class MetricsHistory {
    constructor(spanMs = 5 * 60 * 1000) {
      this.spanMs = spanMs;
      this.steps = [];
      this.last = null;
      this.resets = 0;
    }

    // One scrape (samples from parsePrometheus) at `now` (ms); returns the
    // step it makes, or null for the first scrape (nothing to compare with).
    add(samples, now) {
      const cur = summarize(samples);
      const prev = this.last;
      this.last = cur;
      if (!prev) return null;
      // A new start time is a new process even if its counters already
      // passed the old values.
      const reset = cur.start !== null && prev.start !== null && cur.start !== prev.start;
      if (reset) this.resets += 1;
      const step = {
        t: now,
        reset,
        latency: histogramDelta(prev.latency, cur.latency, reset),
        restarts: countersDelta(prev.restarts, cur.restarts, reset),
        escalations: countersDelta(prev.escalations, cur.escalations, reset),
      };
      this.steps.push(step);
      this.prune(now);
      return step;
    }

    prune(now) {
      const from = now - this.spanMs;
      while (this.steps.length && this.steps[0].t <= from) this.steps.shift();
    }

    within(from, to) {
      return this.steps.filter((s) => s.t > from && s.t <= to);
    }

    // Turn latency p50 and p95 of the window (10 s) ending at each step:
    // [{t, p50, p95, count}], p50/p95 null for a window without turns.
    latencySeries(windowMs = 10000) {
      return this.steps.map((s) => {
        const buckets = this.within(s.t - windowMs, s.t).reduce((acc, x) => addBuckets(acc, x.latency), []);
        const count = buckets.length ? buckets[buckets.length - 1].count : 0;
        return { t: s.t, p50: histogramQuantile(0.5, buckets), p95: histogramQuantile(0.95, buckets), count };
      });
    }

    // p50 and p95 over the whole span.
    latencyOverall() {
      const buckets = this.steps.reduce((acc, x) => addBuckets(acc, x.latency), []);
      const count = buckets.length ? buckets[buckets.length - 1].count : 0;
      return { p50: histogramQuantile(0.5, buckets), p95: histogramQuantile(0.95, buckets), count };
    }

    // Restarts (and escalations) per kind over the span, kinds with none left out.
    perKind(field = "restarts") {
      const out = {};
      for (const s of this.steps) {
        for (const [k, v] of Object.entries(s[field])) if (v > 0) out[k] = (out[k] || 0) + v;
      }
      return out;
    }

    // Restarts of all kinds in consecutive columns of `columnMs` ending at
    // `now`, oldest first: the restart chart's timeline.
    restartColumns(now, columnMs = 10000) {
      const n = Math.ceil(this.spanMs / columnMs);
      const cols = new Array(n).fill(0);
      for (const s of this.steps) {
        const back = Math.floor((now - s.t) / columnMs);
        if (back < 0 || back >= n) continue;
        for (const v of Object.values(s.restarts)) cols[n - 1 - back] += v;
      }
      return cols;
    }
  }

  // ---------------------------------------------------------- formatting

  function pad2(n) {
    return String(n).padStart(2, "0");
  }

  // Uptime as an operator reads it: 42s, 3m 05s, 2h 07m, 4d 03h.
  function formatUptime(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${pad2(Math.floor((s % 3600) / 60))}m`;
    return `${Math.floor(s / 86400)}d ${pad2(Math.floor((s % 86400) / 3600))}h`;
  }

  // A latency in seconds: 85 ms, 1.42 s; a dash when unknown.
  function formatSeconds(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "—";
    return v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(2)} s`;
  }

  // The message of an error body: {"error": "code", "message": ...} or
  // {"error": {"code", "message"}}.
  function errorDetail(body) {
    if (!body || typeof body !== "object") return "";
    const e = body.error;
    if (e && typeof e === "object") return e.message || e.code || "";
    return body.message || (typeof e === "string" ? e : "");
  }

  const STATUS_HINT = {
    401: "unauthorized: enter the ops token",
    403: "forbidden: the token is not valid",
    404: "not found",
    409: "restarting: between incarnations, try again",
    503: "unavailable",
  };

  // What a chaos request's answer means, for the message area:
  // {ok, text}. `what` names the request ("kill actor 14").
  function actionResult(what, status, body) {
    if (status === 202 || status === 200) {
      const kind = body && body.kind ? ` (${body.kind})` : "";
      return { ok: true, text: `${what}: accepted${kind}` };
    }
    const hint = STATUS_HINT[status] || "failed";
    const detail = errorDetail(body);
    return { ok: false, text: `${what}: ${status} ${hint}${detail && detail !== hint ? ` (${detail})` : ""}` };
  }

  return {
    ActorTree,
    detectFlash,
    uptimeOf,
    visibleIds,
    kindsOf,
    guildsOf,
    sessionRows,
    engineRows,
    parsePrometheus,
    sumBy,
    histogramBuckets,
    counterDelta,
    histogramDelta,
    histogramQuantile,
    MetricsHistory,
    formatUptime,
    formatSeconds,
    actionResult,
  };
});
