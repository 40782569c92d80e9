// The ops console's model (ops/console/model.js), without a browser:
//   node --test tests/console/model.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const modelPath = new URL("../../ops/console/model.js", import.meta.url);
const M = require(fileURLToPath(modelPath));

// A stream record as parleyd sends it.
function actor(id, kind, parent, labels = {}, more = {}) {
  return { id, kind, parent, labels, state: "running", restarts: 0, last_exit: null, uptime_s: 10, ...more };
}

// The tree of a parleyd with two speakers in one guild.
function snapshot(chaos = true) {
  return {
    chaos,
    actors: [
      actor(1, "supervisor", 0, { name: "root" }),
      actor(2, "supervisor", 1, { name: "engines" }),
      actor(3, "supervisor", 1, { name: "sessions" }),
      actor(4, "supervisor", 1, { name: "transports" }),
      actor(6, "engine_host", 2, { engine: "stt", name: "pocketsphinx" }),
      actor(7, "engine_host", 2, { engine: "tts", name: "flite" }),
      actor(13, "guild_session", 3, { guild: "g1", state: "listening" }),
      actor(14, "audio_stream", 13, { guild: "g1", user: "u2" }),
      actor(15, "audio_stream", 13, { guild: "g1", user: "u1" }),
      actor(20, "voice_gateway", 4, { port: "0" }),
      actor(21, "voice_client", 20, { connection: "1", guild: "g1", user: "u1" }),
      actor(22, "voice_client", 20, { connection: "2", guild: "g2", user: "u9" }),
    ],
  };
}

function loaded(now = 1000) {
  const tree = new M.ActorTree();
  tree.applySnapshot(snapshot(), now);
  return tree;
}

test("loads as a classic browser script too: window.ParleyConsole", () => {
  const window = {};
  vm.runInNewContext(readFileSync(modelPath, "utf8"), window);
  assert.equal(typeof window.ParleyConsole.ActorTree, "function");
  assert.equal(typeof window.ParleyConsole.parsePrometheus, "function");
});

test("a snapshot builds the tree; supervisors are kind supervisor or have children", () => {
  const tree = loaded();
  assert.equal(tree.size(), 12);
  assert.equal(tree.chaos, true);
  assert.deepEqual(tree.roots().map((a) => a.id), [1]);
  assert.deepEqual(tree.childrenOf(1).map((a) => a.id), [2, 3, 4]);
  assert.deepEqual(tree.childrenOf(13).map((a) => a.id), [14, 15]);
  assert.deepEqual(tree.ordered().map((a) => a.id), [1, 2, 6, 7, 3, 13, 14, 15, 4, 20, 21, 22]);
  assert.equal(tree.isSupervisor(tree.get(3)), true);
  assert.equal(tree.isSupervisor(tree.get(13)), true, "a guild_session supervises its streams");
  assert.equal(tree.isSupervisor(tree.get(14)), false);
});

test("a new snapshot replaces the model (a restarted parleyd reuses ids)", () => {
  const tree = loaded();
  tree.applySnapshot({ chaos: false, actors: [actor(1, "supervisor", 0), actor(14, "engine_host", 1)] }, 5000);
  assert.equal(tree.size(), 2);
  assert.equal(tree.chaos, false);
  assert.equal(tree.get(14).kind, "engine_host");
  assert.equal(tree.get(13), undefined);
  assert.equal(tree.snapshots, 2);
});

test("change events upsert whole records and remove ids", () => {
  const tree = loaded();
  const flashes = tree.applyChange({
    upsert: [actor(30, "stt_job", 13, { user: "u2", turn: "1" }), actor(13, "guild_session", 3, { guild: "g1", state: "thinking" })],
    remove: [22],
  }, 2000);
  assert.deepEqual(flashes, [], "a new actor or a label change is no restart");
  assert.equal(tree.get(30).kind, "stt_job");
  assert.equal(tree.get(13).labels.state, "thinking");
  assert.equal(tree.get(22), undefined);
  assert.deepEqual(tree.childrenOf(20).map((a) => a.id), [21]);
  assert.deepEqual(tree.childrenOf(13).map((a) => a.id), [14, 15, 30]);
  tree.applyChange({ upsert: [], remove: [30] }, 2100);
  assert.deepEqual(tree.childrenOf(13).map((a) => a.id), [14, 15]);
});

test("an actor whose parent is gone is drawn as a root, not lost", () => {
  const tree = loaded();
  tree.applyChange({ remove: [20] }, 2000);
  assert.deepEqual(tree.roots().map((a) => a.id), [1, 21, 22]);
});

test("uptime ticks from the moment the record arrived, only while running", () => {
  const tree = loaded(1000);
  assert.equal(M.uptimeOf(tree.get(14), 3500), 12.5);
  tree.applyChange({ upsert: [actor(14, "audio_stream", 13, { guild: "g1", user: "u2" }, { state: "restarting", uptime_s: 4 })] }, 4000);
  assert.equal(M.uptimeOf(tree.get(14), 9000), 4);
});

test("flash: restarts going up is a restart; a supervisor restarting or an escalated exit is an escalation", () => {
  const tree = loaded();
  let f = tree.applyChange({ upsert: [actor(14, "audio_stream", 13, { guild: "g1", user: "u2" }, { restarts: 1, last_exit: "kill", uptime_s: 0 })] }, 2000);
  assert.deepEqual(f, [{ id: 14, type: "restart" }]);
  f = tree.applyChange({ upsert: [actor(14, "audio_stream", 13, { guild: "g1", user: "u2" }, { restarts: 1, last_exit: "kill", state: "running" })] }, 2100);
  assert.deepEqual(f, [], "the same restart count again flashes nothing");
  f = tree.applyChange({ upsert: [actor(13, "guild_session", 3, { guild: "g1" }, { restarts: 1, last_exit: "kill" })] }, 2200);
  assert.deepEqual(f, [{ id: 13, type: "escalation" }], "a guild_session has children: its subtree restarted");
  f = tree.applyChange({ upsert: [actor(13, "guild_session", 3, { guild: "g1" }, { restarts: 2, last_exit: "kill" })],
    remove: [14, 15] }, 2250);
  assert.deepEqual(f, [{ id: 13, type: "escalation" }], "its old children went with it in the same change");
  f = tree.applyChange({ upsert: [actor(3, "supervisor", 1, {}, { restarts: 1, last_exit: "error" })] }, 2300);
  assert.deepEqual(f, [{ id: 3, type: "escalation" }]);
  f = tree.applyChange({ upsert: [actor(6, "engine_host", 2, { engine: "stt" }, { restarts: 1, last_exit: "escalated" })] }, 2400);
  assert.deepEqual(f, [{ id: 6, type: "escalation" }]);
  f = tree.applyChange({ upsert: [actor(7, "engine_host", 2, { engine: "tts" }, { state: "stopping", last_exit: "escalated" })] }, 2500);
  assert.deepEqual(f, [{ id: 7, type: "escalation" }], "stopped because its supervisor gave up");
  assert.equal(M.detectFlash(undefined, actor(9, "x", 1, {}, { restarts: 3 }), false), null);
});

test("the filter by kind keeps the ancestors of what matches", () => {
  const tree = loaded();
  assert.equal(M.visibleIds(tree, { kind: "", guild: "" }), null);
  const shown = M.visibleIds(tree, { kind: "audio_stream" });
  assert.deepEqual([...shown].sort((a, b) => a - b), [1, 3, 13, 14, 15]);
});

test("the filter by guild follows the guild down to unlabelled jobs and keeps ancestors", () => {
  const tree = loaded();
  tree.applyChange({ upsert: [actor(30, "stt_job", 13, { user: "u2", turn: "1" })] }, 2000);
  const g1 = M.visibleIds(tree, { guild: "g1" });
  assert.deepEqual([...g1].sort((a, b) => a - b), [1, 3, 4, 13, 14, 15, 20, 21, 30]);
  const both = M.visibleIds(tree, { guild: "g2", kind: "voice_client" });
  assert.deepEqual([...both].sort((a, b) => a - b), [1, 4, 20, 22]);
  assert.equal(M.visibleIds(tree, { guild: "nope" }).size, 0);
  assert.deepEqual(M.kindsOf(tree), ["audio_stream", "engine_host", "guild_session", "stt_job", "supervisor", "voice_client", "voice_gateway"]);
  assert.deepEqual(M.guildsOf(tree), ["g1", "g2"]);
});

test("session rows: guild, the users of its audio_streams, and the turn's state", () => {
  const tree = loaded(1000);
  tree.applyChange({ upsert: [
    actor(40, "guild_session", 3, { guild: "a-guild", state: "speaking" }),
    actor(41, "audio_stream", 40, { guild: "a-guild", user: "zed" }),
    actor(42, "tts_job", 40, { user: "zed", turn: "3" }),
  ] }, 1000);
  const rows = M.sessionRows(tree, 3000);
  assert.deepEqual(rows.map((r) => [r.guild, r.users, r.state]), [
    ["a-guild", ["zed"], "speaking"],
    ["g1", ["u1", "u2"], "listening"],
  ]);
  assert.equal(rows[1].uptime_s, 12);
  tree.applyChange({ upsert: [actor(13, "guild_session", 3, { guild: "g1", state: "thinking" })] }, 3000);
  assert.equal(M.sessionRows(tree, 3000)[1].state, "thinking");
  tree.applyChange({ upsert: [actor(13, "guild_session", 3, { guild: "g1" })] }, 3000);
  assert.equal(M.sessionRows(tree, 3000)[1].state, "unknown", "no state label yet");
});

test("engine rows join engine_hosts with /health providers", () => {
  const tree = loaded();
  const health = { providers: [
    { engine: "stt", provider: "openai", breaker: "open", failures: 3, fallbacks: 2, calls: 5 },
    { engine: "agent", provider: "openai", breaker: "closed", failures: 0, fallbacks: 0, calls: 1 },
  ] };
  const rows = M.engineRows(tree, health);
  assert.deepEqual(rows.map((r) => [r.engine, r.name, r.providers.map((p) => p.breaker)]), [
    ["stt", "pocketsphinx", ["open"]],
    ["tts", "flite", []],
    ["agent", "", ["closed"]],
  ]);
  assert.equal(rows[2].id, null, "a provider whose host is missing still shows");
  assert.equal(M.engineRows(tree, null).length, 2);
});

const SCRAPE = `# HELP parley_actor_restarts_total Restarts.
# TYPE parley_actor_restarts_total counter
parley_actor_restarts_total{kind="audio_stream",reason="kill"} 2
parley_actor_restarts_total{kind="audio_stream",reason="error"} 1
parley_actor_restarts_total{kind="stt_job",reason="kill"} 0
odd_metric{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",empty=""} 1.5e3 1700000000000
parley_sessions 2
no_value{a="b"}
broken{a="b} 3
weird +Inf
`;

test("Prometheus text: samples with labels, escapes, timestamps, and malformed lines skipped", () => {
  const s = M.parsePrometheus(SCRAPE);
  assert.deepEqual(s.map((x) => x.name), [
    "parley_actor_restarts_total", "parley_actor_restarts_total", "parley_actor_restarts_total",
    "odd_metric", "parley_sessions", "weird",
  ]);
  assert.deepEqual(s[3].labels, { path: "C:\\dir", quote: 'say "hi"', nl: "a\nb", empty: "" });
  assert.equal(s[3].value, 1500);
  assert.equal(s[5].value, Infinity);
  assert.deepEqual(M.sumBy(s, "parley_actor_restarts_total", "kind"), { audio_stream: 3, stt_job: 0 });
});

// A scrape of the console's metrics: latency buckets (cumulative counts for
// le 0.1, 0.5, 1, +Inf), restarts per kind, the process start time.
function scrape(buckets, restarts = {}, start = 100, escalations = {}) {
  const les = ["0.1", "0.5", "1", "+Inf"];
  const lines = les.map((le, i) => `parley_turn_latency_seconds_bucket{le="${le}"} ${buckets[i]}`);
  lines.push(`parley_turn_latency_seconds_count ${buckets[3]}`);
  for (const [kind, n] of Object.entries(restarts)) lines.push(`parley_actor_restarts_total{kind="${kind}",reason="kill"} ${n}`);
  for (const [kind, n] of Object.entries(escalations)) lines.push(`parley_supervisor_escalations_total{kind="${kind}"} ${n}`);
  lines.push(`process_start_time_seconds ${start}`);
  return M.parsePrometheus(lines.join("\n"));
}

test("histogram quantile interpolates as Prometheus does", () => {
  const b = [{ le: 0.1, count: 0 }, { le: 0.5, count: 10 }, { le: 1, count: 20 }, { le: Infinity, count: 20 }];
  assert.equal(M.histogramQuantile(0.5, b), 0.5);
  assert.ok(Math.abs(M.histogramQuantile(0.25, b) - 0.3) < 1e-9);
  assert.ok(Math.abs(M.histogramQuantile(0.95, b) - 0.95) < 1e-9);
  assert.equal(M.histogramQuantile(0.5, [{ le: 0.1, count: 0 }, { le: Infinity, count: 0 }]), null);
  assert.equal(M.histogramQuantile(0.99, [{ le: 1, count: 1 }, { le: Infinity, count: 10 }]), 1,
    "in the +Inf bucket: the highest finite bound");
  assert.ok(Math.abs(M.histogramQuantile(0.5, [{ le: 0.2, count: 4 }, { le: Infinity, count: 4 }]) - 0.1) < 1e-9,
    "the first bucket starts at 0");
});

test("latency percentiles come from bucket deltas between scrapes, not the totals", () => {
  const h = new M.MetricsHistory();
  assert.equal(h.add(scrape([100, 100, 100, 100]), 0), null, "the first scrape is the baseline");
  // 10 new turns, all between 0.5 s and 1 s: the 100 fast old ones must not count.
  const step = h.add(scrape([100, 100, 110, 110]), 2000);
  assert.deepEqual(step.latency.map((b) => b.count), [0, 0, 10, 10]);
  const series = h.latencySeries(10000);
  assert.equal(series.length, 1);
  assert.ok(Math.abs(series[0].p50 - 0.75) < 1e-9);
  assert.ok(Math.abs(series[0].p95 - 0.975) < 1e-9);
  assert.equal(series[0].count, 10);
  // A quiet scrape: the 10 s window still holds the turns of the step before.
  h.add(scrape([100, 100, 110, 110]), 4000);
  assert.equal(h.latencySeries(10000)[1].count, 10);
  // 20 s later the window is empty.
  h.add(scrape([100, 100, 110, 110]), 24000);
  assert.equal(h.latencySeries(10000)[2].p50, null);
  assert.equal(h.latencyOverall().count, 10);
});

test("a counter reset (parleyd restarted) counts the new values, not a negative delta", () => {
  const h = new M.MetricsHistory();
  h.add(scrape([0, 50, 60, 60], { audio_stream: 5 }), 0);
  // A new process: lower counts than before.
  const step = h.add(scrape([0, 2, 2, 2], { audio_stream: 1 }, 100), 2000);
  assert.deepEqual(step.latency.map((b) => b.count), [0, 2, 2, 2]);
  assert.equal(step.restarts.audio_stream, 1);
  const s = h.latencySeries(10000).at(-1);
  assert.ok(s.p95 > 0.1 && s.p95 <= 0.5, `p95 ${s.p95} from the 2 new turns`);
});

test("a new process start time is a reset even when its counters passed the old ones", () => {
  const h = new M.MetricsHistory();
  h.add(scrape([0, 1, 1, 1], { audio_stream: 1 }, 100), 0);
  const step = h.add(scrape([0, 3, 3, 3], { audio_stream: 4 }, 200), 2000);
  assert.equal(step.reset, true);
  assert.equal(step.restarts.audio_stream, 4);
  assert.deepEqual(step.latency.map((b) => b.count), [0, 3, 3, 3]);
  assert.equal(h.resets, 1);
});

test("restarts per kind over the last 5 minutes, and the timeline's columns", () => {
  const h = new M.MetricsHistory(5 * 60 * 1000);
  const zero = [0, 0, 0, 0];
  h.add(scrape(zero, { audio_stream: 0, voice_client: 0 }, 100, { audio_stream: 0 }), 0);
  h.add(scrape(zero, { audio_stream: 2, voice_client: 0 }, 100, { audio_stream: 0 }), 2000);
  h.add(scrape(zero, { audio_stream: 3, voice_client: 1 }, 100, { audio_stream: 1 }), 60000);
  assert.deepEqual(h.perKind(), { audio_stream: 3, voice_client: 1 });
  assert.deepEqual(h.perKind("escalations"), { audio_stream: 1 });
  const cols = h.restartColumns(60000, 10000);
  assert.equal(cols.length, 30);
  assert.equal(cols[29], 2, "the last 10 s: one audio_stream and one voice_client restart");
  assert.equal(cols[24], 2, "58 s earlier: two audio_stream restarts");
  // Five minutes on, the first restarts have left the span.
  h.add(scrape(zero, { audio_stream: 3, voice_client: 1 }, 100), 302000);
  assert.deepEqual(h.perKind(), { audio_stream: 1, voice_client: 1 });
});

test("counter and histogram deltas on their own", () => {
  assert.equal(M.counterDelta(5, 8), 3);
  assert.equal(M.counterDelta(5, 2), 2);
  assert.equal(M.counterDelta(undefined, 4), 4);
  const prev = [{ le: 1, count: 3 }, { le: Infinity, count: 4 }];
  assert.deepEqual(M.histogramDelta(prev, [{ le: 1, count: 5 }, { le: Infinity, count: 7 }]).map((b) => b.count), [2, 3]);
  assert.deepEqual(M.histogramDelta(prev, [{ le: 1, count: 1 }, { le: Infinity, count: 9 }]).map((b) => b.count), [1, 9]);
});

test("formatting: uptimes, latencies, and what a chaos request's answer means", () => {
  assert.equal(M.formatUptime(42.9), "42s");
  assert.equal(M.formatUptime(185), "3m 05s");
  assert.equal(M.formatUptime(7620), "2h 07m");
  assert.equal(M.formatUptime(4 * 86400 + 3 * 3600 + 5), "4d 03h");
  assert.equal(M.formatSeconds(0.0849), "85 ms");
  assert.equal(M.formatSeconds(1.4234), "1.42 s");
  assert.equal(M.formatSeconds(null), "—");
  assert.deepEqual(M.actionResult("kill actor 14", 202, { killed: 14, kind: "audio_stream" }),
    { ok: true, text: "kill actor 14: accepted (audio_stream)" });
  assert.match(M.actionResult("kill actor 14", 401, { error: "unauthorized", message: "needs a token" }).text, /401 unauthorized.*needs a token/);
  assert.match(M.actionResult("kill actor 14", 403, {}).text, /403 forbidden/);
  assert.match(M.actionResult("kill actor 99", 404, { error: "not_found", message: "no actor 99" }).text, /404 not found \(no actor 99\)/);
  const busy = M.actionResult("kill actor 14", 409, { error: { code: "restarting", message: "between incarnations" } });
  assert.equal(busy.ok, false);
  assert.match(busy.text, /409 restarting/);
  assert.match(M.actionResult("x", 500, null).text, /500 failed/);
});
