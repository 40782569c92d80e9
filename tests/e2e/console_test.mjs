// The ops console end to end: headless Chromium opens GET /ui on a running parleyd (with
// chaos on and a few voice sessions from parley-load) and must draw the live tree and the
// sessions; a kill through the ops API must show on the page within a second, with a
// flash; the page's own kill button must work, and say 401 without the token; the kind
// filter must hide the rest; and when parleyd is restarted on the same ops port the page
// must say it lost the stream, come back live and draw the new process's tree.
//
// Environment (run_console.sh sets these):
//   PARLEY_CONSOLE_OPS         the ops endpoint, e.g. http://127.0.0.1:9090
//   PARLEY_CONSOLE_TOKEN       the ops bearer token (PARLEY_OPS_TOKEN)
//   PARLEY_CONSOLE_PARLEYD     the parleyd binary, to start it again for the restart step
//   PARLEY_CONSOLE_PID         the running parleyd's pid (this test stops it)
//   PARLEY_CONSOLE_PIDFILE     where to write the new parleyd's pid (for the script's cleanup)
//   PARLEY_CONSOLE_LOG         the new parleyd's log file
//   PARLEY_CONSOLE_SCREENSHOT  where to save a full-page screenshot (default /tmp/parley-console.png)
//   PARLEY_CONSOLE_CHROMIUM    optional: the browser (default /usr/bin/chromium)
import { readFileSync, writeFileSync, openSync, mkdtempSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const consoleDir = join(here, "../../ops/console");
const ops = process.env.PARLEY_CONSOLE_OPS;
const token = process.env.PARLEY_CONSOLE_TOKEN || "";
const parleyd = process.env.PARLEY_CONSOLE_PARLEYD;
const firstPid = Number(process.env.PARLEY_CONSOLE_PID || 0);
const pidFile = process.env.PARLEY_CONSOLE_PIDFILE;
const newLog = process.env.PARLEY_CONSOLE_LOG || join(tmpdir(), "parley-console-parleyd.log");
const shot = process.env.PARLEY_CONSOLE_SCREENSHOT || "/tmp/parley-console.png";
const browserPath = process.env.PARLEY_CONSOLE_CHROMIUM || "/usr/bin/chromium";
const TOTAL_MS = 150_000;
const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1) + " s";

if (!ops) throw new Error("PARLEY_CONSOLE_OPS is not set");

let context = null, page = null, profile = null, restarted = null;
// Console errors are failures, except the network errors a phase expects (a 401 it
// provoked, the stream and polls failing while parleyd is down).
const consoleLines = [];
const unexpected = [];
let allowNetworkErrors = null;

async function fail(message) {
  console.error(`FAIL (${elapsed()}): ${message}`);
  if (page) {
    const p = await page.evaluate(() => JSON.stringify(window.opsConsole)).catch(() => "(no page)");
    console.error("window.opsConsole =", p);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.error(`screenshot: ${shot}`);
  }
  if (consoleLines.length) console.error("--- page console:\n" + consoleLines.join("\n"));
  await cleanup();
  process.exit(1);
}

async function cleanup() {
  await context?.close().catch(() => {});
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (restarted && restarted.exitCode === null) {
    restarted.kill("SIGTERM");
    await exited(restarted.pid, 10_000).catch(() => restarted.kill("SIGKILL"));
  }
}

function check(cond, message) {
  if (!cond) throw new Error(message);
  console.log(`ok  ${message} (${elapsed()})`);
}

// Waits until fn (run in the page) returns a truthy value, at most ms.
async function until(what, fn, ms, arg) {
  try {
    return await (await page.waitForFunction(fn, arg, { timeout: ms, polling: "raf" })).jsonValue();
  } catch (e) {
    throw new Error(`${what}: not within ${ms / 1000} s`);
  }
}

// /health answers 503 whenever parleyd is not ready (an actor restarting after a kill):
// the page reads the body, Chromium logs the status.
function expected(text, url) {
  if (/status of 503/.test(text) && /\/health$/.test(url || "")) return true;
  return Boolean(allowNetworkErrors && allowNetworkErrors.test(text));
}

function onConsole(kind, text, url) {
  consoleLines.push(`[${kind}] ${text}${url ? ` (${url})` : ""}`);
  if (kind !== "error" && kind !== "pageerror") return;
  if (kind === "error" && expected(text, url)) return;
  unexpected.push(`[${kind}] ${text}`);
}

function checkNoErrors(when) {
  check(unexpected.length === 0, `no console errors ${when} (${unexpected.join(" | ") || "none"})`);
}

// The page must be the repository's: parleyd embeds ops/console at build time.
async function checkServedFiles() {
  const help = await (await fetch(`${ops}/help`)).text();
  check(help.includes("/actors/stream") && help.includes("/ui"), "parleyd has GET /ui and GET /actors/stream");
  for (const [path, file] of [["/ui", "index.html"], ["/ui/console.css", "console.css"],
    ["/ui/model.js", "model.js"], ["/ui/view.js", "view.js"]]) {
    const res = await fetch(ops + path);
    const body = await res.text();
    check(res.status === 200 && body === readFileSync(join(consoleDir, file), "utf8"),
      `GET ${path} serves ops/console/${file} (${body.length} bytes; rebuild parleyd if stale)`);
    if (path === "/ui") {
      check(/default-src 'self'/.test(res.headers.get("content-security-policy") || ""),
        `GET /ui sends a CSP: ${res.headers.get("content-security-policy")}`);
    }
  }
}

async function kill(id) {
  const res = await fetch(`${ops}/actors/${id}/kill`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

// The first actor of a kind drawn on the page, and its restarts.
async function firstNode(kind, except = []) {
  return page.evaluate(([k, skip]) => {
    const n = [...document.querySelectorAll(`#tree .node[data-kind="${k}"]`)]
      .find((e) => !skip.includes(Number(e.dataset.actorId)));
    return n ? { id: Number(n.dataset.actorId), restarts: Number(n.dataset.restarts) } : null;
  }, [kind, except]);
}

async function treeIsDrawn() {
  await until("live", () => window.opsConsole?.status === "live", 10_000);
  check((await page.textContent("#status")).includes("live"), `the status says live: "${await page.textContent("#status")}"`);
  const sups = await until("the supervisors", () => {
    const s = document.querySelectorAll('#tree .node.supervisor[data-kind="supervisor"]');
    return s.length >= 4 && s.length;
  }, 10_000);
  check(sups >= 4, `the tree shows the supervisors (${sups})`);
  const session = await until("a guild_session with its audio_streams", () => {
    for (const s of document.querySelectorAll('#tree .node[data-kind="guild_session"]')) {
      const streams = s.parentElement.querySelectorAll(':scope > ul > li > .node[data-kind="audio_stream"]');
      if (streams.length >= 1) return { id: s.dataset.actorId, streams: streams.length, supervisor: s.classList.contains("supervisor") };
    }
    return null;
  }, 30_000);
  check(session.supervisor, `guild_session ${session.id} is drawn as a supervisor with ${session.streams} audio_stream(s) under it`);
  const rows = await until("session rows", () => {
    const r = [...document.querySelectorAll("#sessions tr.session")];
    return r.length >= 1 && r.map((tr) => tr.textContent);
  }, 10_000);
  check(rows.length >= 1, `the sessions panel has ${rows.length} row(s): ${rows.join(" | ")}`);
  const engines = await page.$$eval("#engines .engine", (e) => e.length);
  check(engines >= 3, `the engines panel shows ${engines} engines`);
}

async function killThroughApi() {
  const victim = await firstNode("audio_stream");
  check(victim, `an audio_stream on the page: actor ${victim?.id} with ${victim?.restarts} restarts`);
  const status = await kill(victim.id);
  check(status === 202, `POST /actors/${victim.id}/kill: ${status}`);
  const answered = await page.evaluate(() => performance.now());
  const seen = await until(`actor ${victim.id}'s restarts growing on the page within 1000 ms of the kill's answer`,
    (a) => window.restartsOnPage(a.id) > a.restarts && performance.now(), 1000, victim);
  check(true, `the restart shows on the page ${Math.max(0, seen - answered).toFixed(0)} ms after the kill was answered`);
  const flashed = await until("the restart flash", (id) => {
    const n = document.querySelector(`#tree .node[data-actor-id="${id}"]`);
    return n && (n.classList.contains("flash-restart") || n.classList.contains("flash-escalation")) && n.className;
  }, 1500, victim.id);
  check(/flash-restart/.test(flashed), `the node flashes: class "${flashed}"`);
  return victim.id;
}

async function killButton(skip) {
  await page.fill("#token", token);
  check(await page.evaluate(() => sessionStorage.getItem("parley-ops-token")) === token, "the token is kept in sessionStorage");
  const target = await firstNode("audio_stream", skip);
  check(target, `another audio_stream for the kill button: actor ${target?.id}`);
  await page.click(`#tree .node[data-actor-id="${target.id}"] button.kill`);
  await until("the button's kill answered", (id) => window.opsConsole.kills.some((k) => k.id === id), 5000, target.id);
  check((await page.textContent("#message")).includes("accepted"), `the message area says: "${await page.textContent("#message")}"`);
  await until("the button's kill on the page", (a) => window.restartsOnPage(a.id) > a.restarts, 2000, target);
  check(true, `the kill button restarted actor ${target.id}`);

  // Without the token: the page says 401 (and Chromium logs the 401 response).
  await page.fill("#token", "");
  allowNetworkErrors = /status of 401/;
  await page.click(`#tree .node[data-actor-id="${target.id}"] button.kill`);
  await until("the 401", () => /401/.test(document.getElementById("message").textContent), 5000);
  check(true, `without the token the message area says: "${await page.textContent("#message")}"`);
  allowNetworkErrors = null;
  await page.fill("#token", token);
}

// A guild_session supervises its streams: its restart flashes as an escalation.
async function escalationFlash() {
  const session = await firstNode("guild_session");
  await page.click(`#tree .node[data-actor-id="${session.id}"] button.kill`);
  const cls = await until("the guild_session's flash", (id) => {
    const n = document.querySelector(`#tree .node[data-actor-id="${id}"]`);
    return n && /flash-/.test(n.className) && n.className;
  }, 3000, session.id);
  check(/flash-escalation/.test(cls), `a guild_session restarting flashes as an escalation: "${cls}"`);
}

async function filterByKind() {
  await page.selectOption("#filter-kind", "audio_stream");
  const seen = await page.evaluate(() => {
    const visible = [...document.querySelectorAll("#tree .node")].filter((n) => n.offsetParent !== null);
    return visible.map((n) => n.dataset.kind);
  });
  const kinds = [...new Set(seen)].sort();
  check(seen.includes("audio_stream"), `the filter shows the audio_streams (${seen.filter((k) => k === "audio_stream").length})`);
  check(kinds.every((k) => ["audio_stream", "guild_session", "supervisor"].includes(k)),
    `filtered by kind, only audio_streams and their ancestors are visible: ${kinds.join(", ")}`);
  const hidden = await page.$$eval('#tree .node[data-kind="voice_client"], #tree .node[data-kind="engine_host"]',
    (ns) => ns.filter((n) => n.offsetParent !== null).length);
  check(hidden === 0, "voice_clients and engine_hosts are hidden");
  check(new URL(page.url()).searchParams.get("kind") === "audio_stream", `the filter is in the link: ${page.url()}`);
  await page.selectOption("#filter-kind", "");
  await until("the whole tree again", () => document.querySelector('#tree .node[data-kind="engine_host"]')?.offsetParent, 2000);
  check(true, "clearing the filter shows the whole tree again");
}

function exited(pid, ms) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const poll = setInterval(() => {
      try {
        process.kill(pid, 0);
        if (Date.now() - start > ms) { clearInterval(poll); reject(new Error(`pid ${pid} still running`)); }
      } catch {
        clearInterval(poll);
        resolve();
      }
    }, 50);
  });
}

function waitForLog(file, pattern, ms) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const poll = setInterval(() => {
      const text = readFileSync(file, "utf8");
      if (pattern.test(text)) { clearInterval(poll); resolve(); }
      else if (Date.now() - start > ms || restarted.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`no ${pattern} in ${file}: ${text.slice(-2000)}`));
      }
    }, 100);
  });
}

// parleyd stops and starts again on the same ops port: the page must notice, say so,
// and come back live with the new process's snapshot.
async function survivesRestart() {
  check(parleyd && firstPid, "parleyd and its pid are known for the restart");
  const before = await page.evaluate(() => window.opsConsole.snapshots);
  allowNetworkErrors = /Failed to load resource|net::ERR_|actors\/stream/;
  process.kill(firstPid, "SIGTERM");
  await exited(firstPid, 20_000); // run_console.sh starts it with PARLEY_DRAIN_SECONDS=1
  check(true, "parleyd stopped");
  await until("disconnected", () => window.opsConsole.status === "down", 5000);
  check(/reconnecting/.test(await page.textContent("#status")), `the page says: "${await page.textContent("#status")}"`);
  const port = new URL(ops).port;
  restarted = spawn(parleyd, [], {
    env: { ...process.env, PARLEY_VOICE_ADDR: "127.0.0.1:0", PARLEY_OPS_ADDR: `127.0.0.1:${port}`,
      PARLEY_CHAOS: "1", PARLEY_OPS_TOKEN: token, PARLEY_DRAIN_SECONDS: "1" },
    stdio: ["ignore", openSync(newLog, "w"), openSync(newLog, "a")],
  });
  if (pidFile) writeFileSync(pidFile, String(restarted.pid));
  await waitForLog(newLog, /"msg":"ops endpoint listening"/, 15_000);
  check(true, `parleyd started again (pid ${restarted.pid}) on ops port ${port}`);
  await until("live again with a new snapshot", (n) => window.opsConsole.status === "live" && window.opsConsole.snapshots > n,
    15_000, before);
  await waitForLog(newLog, /"msg":"supervision tree is up"/, 30_000);
  const root = await until("the new tree", () => {
    const n = document.querySelector('#tree .node[data-actor-id="1"]');
    const sups = document.querySelectorAll('#tree .node[data-kind="supervisor"]').length;
    return n && sups >= 4 && n.querySelector(".uptime").textContent;
  }, 10_000);
  check(/live/.test(await page.textContent("#status")), `the page is live again and drew the new tree (root up ${root})`);
  allowNetworkErrors = null;
}

async function main() {
  setTimeout(() => fail(`the whole test took more than ${TOTAL_MS / 1000} s`), TOTAL_MS).unref();
  await checkServedFiles();

  profile = mkdtempSync(join(tmpdir(), "parley-console-profile-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic"],
  });
  page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => onConsole(m.type(), m.text(), m.location()?.url));
  page.on("pageerror", (e) => onConsole("pageerror", e.message));
  // CSP violations are events in the page; keep them where the test can read them.
  await page.addInitScript(() => {
    window.restartsOnPage = (id) => Number(document.querySelector(`#tree .node[data-actor-id="${id}"]`)?.dataset.restarts);
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });

  await page.goto(`${ops}/ui`, { timeout: 10_000 });
  await treeIsDrawn();
  check(await page.evaluate(() => window.opsConsole.chaos) && await page.isVisible("#token"),
    "chaos is on: the token input is shown");
  check(await page.$$eval("#tree .node", (ns) => ns.every((n) => n.querySelector("button.kill"))),
    "every node has a kill button");
  check(await page.$$eval('#tree .node[data-kind="engine_host"]', (ns) => ns.length > 0 && ns.every((n) => n.querySelector("button.fault"))),
    "engine hosts offer fault injection");
  const victim = await killThroughApi();
  await killButton([victim]);
  await escalationFlash();
  await filterByKind();
  await until("charts drawn", () => window.opsConsole.scrapes >= 2 && document.querySelector("#latency svg"), 10_000);
  check(true, "the latency and restart charts are drawn from /metrics");
  const restartKinds = await until("the kills counted in the restarts panel",
    () => /audio_stream/.test(document.getElementById("restarts").textContent) && document.getElementById("restarts").textContent, 6000);
  check(true, `the restarts panel counts the audio_stream kills: "${restartKinds.replace(/\s+/g, " ").slice(0, 120)}"`);
  checkNoErrors("before the restart");
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);

  await survivesRestart();
  checkNoErrors("after the restart");
  const csp = await page.evaluate(() => window.__csp);
  check(csp.length === 0, `no CSP violations (${csp.join("; ") || "none"})`);
  await cleanup();
  console.log(`e2e console: ok (${elapsed()})`);
}

main().catch((e) => fail(e.message || String(e)));
