// Parley's browser page end to end: headless Chromium with a fake microphone that plays
// a real recording ("go forward ten meters") speaks to a running parleyd through the page,
// and the page must show the transcript and the reply and play the reply's audio.
// Then a typed turn goes through the text box.
//
// Environment (run.sh sets these):
//   PARLEY_E2E_URL         the voice port's base URL, e.g. http://127.0.0.1:8080/
//   PARLEY_E2E_WAV         the fake microphone's WAV file (played once)
//   PARLEY_E2E_SCREENSHOT  where to save the final screenshot (default /tmp/parley-e2e.png)
//   PARLEY_E2E_PAGE        optional: serve this index.html from a local static server instead
//                          of parleyd's GET / (the page then reaches parleyd through ?ws=)
//   PARLEY_E2E_CHROMIUM    optional: the browser (default /usr/bin/chromium)
//   PARLEY_E2E_OPS         optional: parleyd's ops endpoint (with PARLEY_CHAOS=1); then the
//                          page's connection actor is killed mid-reply, and the page must
//                          reconnect, resume the rest of the reply and complete another turn
//   PARLEY_E2E_OPS_TOKEN   the ops token for that kill
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const base = new URL(process.env.PARLEY_E2E_URL || "http://127.0.0.1:8080/");
const wav = process.env.PARLEY_E2E_WAV;
const shot = process.env.PARLEY_E2E_SCREENSHOT || "/tmp/parley-e2e.png";
const localPage = process.env.PARLEY_E2E_PAGE;
const browserPath = process.env.PARLEY_E2E_CHROMIUM || "/usr/bin/chromium";
const repoPage = join(here, "../../actors/transport/websocket/page/index.html");
const ops = process.env.PARLEY_E2E_OPS;
const opsToken = process.env.PARLEY_E2E_OPS_TOKEN || "";
const TOTAL_MS = 75_000;
// flite speaks ~14 characters of text a second; a reply whose audio is shorter than this
// many seconds per character lost some of its sentences.
const MIN_SECONDS_PER_CHAR = 0.045;
const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1) + " s";

if (!wav) throw new Error("PARLEY_E2E_WAV is not set");

let browser = null, server = null, page = null, profile = null;
const consoleLines = [];

async function fail(message) {
  console.error(`FAIL (${elapsed()}): ${message}`);
  if (page) {
    const p = await page.evaluate(() => JSON.stringify(window.parley, null, 1)).catch(() => "(no page)");
    console.error("window.parley =", p);
    await page.screenshot({ path: shot }).catch(() => {});
    console.error(`screenshot: ${shot}`);
  }
  if (consoleLines.length) console.error("--- page console:\n" + consoleLines.join("\n"));
  await cleanup();
  process.exit(1);
}

async function cleanup() {
  await browser?.close().catch(() => {});
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
}

// Waits until fn (run in the page) returns a truthy value, at most ms.
async function until(what, fn, ms, arg) {
  try {
    return await (await page.waitForFunction(fn, arg, { timeout: ms, polling: 50 })).jsonValue();
  } catch (e) {
    throw new Error(`${what}: not within ${ms / 1000} s`);
  }
}

// One reply's audio against the protocol: audio_ended counts the frames sent, and the
// audio is long enough for all of the reply's text.
function checkReplyAudio(p, index, text) {
  const a = p.replyAudio[index];
  if (!a) throw new Error(`no audio_started for reply ${index + 1}`);
  check(a.frames === a.received,
        `audio_ended of turn ${a.turn} counts the ${a.received} frames received (frames: ${a.frames})`);
  const need = Math.ceil((text.length * MIN_SECONDS_PER_CHAR) / 0.02);
  check(a.received >= need, `turn ${a.turn}: ${a.received} frames (${(a.received * 0.02).toFixed(2)} s) ` +
        `voice all of "${text}" (at least ${need})`);
}

function check(cond, message) {
  if (!cond) throw new Error(message);
  console.log(`ok  ${message} (${elapsed()})`);
}

// A one-file static server for the page, for trying it against a parleyd that does not
// serve it (yet).
function servePage(file) {
  return new Promise((resolve) => {
    server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(readFileSync(file));
    }).listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}/`));
  });
}

// The page's connection actor, found in the live tree by its user.
async function connectionActor(user) {
  const find = (n) => n.kind === "voice_client" && n.labels?.user === user ? n
    : (n.children || []).map(find).find(Boolean);
  const tree = await (await fetch(`${ops}/actors`)).json();
  return tree.map(find).find(Boolean);
}

// Killed while a reply plays: the server closes the socket with 1011; the page says so,
// reconnects by itself, resumes (the whole reply arrives, across both connections) and
// completes another turn.
async function killedConnectionResumes() {
  const n = await page.evaluate(() => window.parley.audioEnded);
  await page.fill("#text", "repeat after me the quick brown fox jumps over the lazy dog while the band plays on");
  await page.click("#send");
  await until("the long reply playing", (k) => window.parley.replyAudio.length > k &&
              window.parley.replyAudio[k].received >= 10, 15_000, n);
  const victim = await connectionActor("tester");
  check(victim && victim.labels.guild === "e2e", `the page's connection is actor ${victim?.id} in the tree`);
  const killed = await fetch(`${ops}/actors/${victim.id}/kill`,
                             { method: "POST", headers: { authorization: `Bearer ${opsToken}` } });
  check(killed.status === 202, `POST /actors/${victim.id}/kill: ${killed.status}`);
  await until("the close", () => window.parley.lastClose, 5_000);
  let p = await page.evaluate(() => ({ ...window.parley }));
  check(p.lastClose.code === 1011, `the page's socket is closed with 1011 (${p.lastClose.reason})`);
  await until("resumed", () => window.parley.resumed >= 1 && window.parley.state === "ready", 10_000);
  check((await page.textContent("#log")).includes("resumed where it was"), "the page says it reconnected and resumed");
  await until("the long reply's audio_ended", (k) => window.parley.audioEnded > k, 20_000, n);
  p = await page.evaluate(() => ({ ...window.parley }));
  check(p.replyAudio[n].frames === p.replyAudio[n].received,
        `the interrupted connection's reply arrived whole: ${p.replyAudio[n].received} of ${p.replyAudio[n].frames} frames`);
  const after = p.replies.length;
  await page.fill("#text", "what is the date");
  await page.click("#send");
  await until("a turn after the reconnect", (k) => window.parley.audioEnded > k, 20_000, n + 1);
  p = await page.evaluate(() => ({ ...window.parley }));
  check(p.replies.length > after, `a turn after the reconnect is answered: "${p.replies.slice(after).join(" ")}"`);
  const again = await connectionActor("tester");
  check(again && again.id !== victim.id, `the new connection is a new actor (${again?.id})`);
}

async function main() {
  setTimeout(() => fail(`the whole test took more than ${TOTAL_MS / 1000} s`), TOTAL_MS).unref();

  let pageUrl;
  if (localPage) {
    const wsBase = `ws://${base.host}/`;
    pageUrl = new URL(await servePage(localPage));
    pageUrl.searchParams.set("ws", wsBase);
    console.log(`serving ${localPage} at ${pageUrl.origin}, WebSocket to ${wsBase}`);
  } else {
    // parleyd embeds the page at build time: it must serve the page in the repository.
    const served = await (await fetch(base)).text();
    check(served === readFileSync(repoPage, "utf8"),
          `GET ${base} serves the repository's page (${served.length} bytes; rebuild parleyd if stale)`);
    pageUrl = new URL(base);
  }
  pageUrl.searchParams.set("guild", "e2e");
  pageUrl.searchParams.set("user", "tester");
  pageUrl.searchParams.set("aec", "0");   // the server gets the recording without browser processing

  profile = mkdtempSync(join(tmpdir(), "parley-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: { width: 900, height: 820 },
    args: [
      "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic",
      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}%noloop`,
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  browser = context;
  page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`[pageerror] ${e.message}`));

  await page.goto(pageUrl.toString(), { timeout: 10_000 });
  check(await page.evaluate(() => window.parley?.state) === "disconnected", "the page loads, disconnected");

  await page.click("#connect");
  await until("state ready", () => window.parley.state === "ready" || window.parley.state === "error" && "error", 10_000);
  check(await page.evaluate(() => window.parley.state) === "ready",
        `state becomes ready (${await page.textContent("#status")})`);
  check((await page.textContent("#state")).trim() === "ready", "the state pill shows ready");

  // The recording: ~0.5 s silence, ~2.5 s speech, 1.5 s silence; then the fake mic is silent.
  const finals = await until("a final transcript", () => window.parley.finalTranscripts.length > 0 &&
                               window.parley.finalTranscripts, 20_000);
  const heard = finals[0];
  check(heard.trim().length > 0, `a final transcript arrives: "${heard}"`);
  check(/forward/.test(heard), `the transcript contains "forward"`);

  const replies = await until("a reply", () => window.parley.replies.length > 0 && window.parley.replies, 15_000);
  check(replies[0].trim().length > 0, `a reply arrives: "${replies.join(" ")}"`);

  await until("audio_ended", () => window.parley.audioEnded >= 1, 25_000);
  let p = await page.evaluate(() => ({ ...window.parley }));
  check(p.audioStarted >= 1 && p.audioFramesReceived > 10,
        `reply audio arrives: ${p.audioFramesReceived} frames, then audio_ended`);
  // The analyser after the playback graph: the reply was really played, not just decoded.
  await until("frames played", (n) => window.parley.audioFramesPlayed >= n, 5_000, p.audioFramesReceived - 5);
  p = await page.evaluate(() => ({ ...window.parley }));
  check(p.peakOutputLevel > 0.01,
        `reply audio is played: ${p.audioFramesPlayed} frames, peak output level ${p.peakOutputLevel.toFixed(3)}`);
  checkReplyAudio(p, 0, p.replies.join(" "));

  // The mic is silent now (the file played once), yet frames must keep flowing at 50/s.
  const before = p.framesSent, since = Date.now();
  await until("frames during silence", (n) => window.parley.framesSent >= n, 3_000, before + 40);
  const rate = ((await page.evaluate(() => window.parley.framesSent)) - before) / ((Date.now() - since) / 1000);
  check(rate > 35 && rate < 65, `frames keep flowing during silence: ${rate.toFixed(0)} frames/s`);

  // A typed turn: echoed as a final transcript, answered, spoken.
  const nReplies = p.replies.length;
  await page.fill("#text", "what time is it");
  await page.click("#send");
  await until("the typed turn's transcript",
              () => window.parley.finalTranscripts.includes("what time is it"), 5_000);
  await until("a reply to the typed turn", (n) => window.parley.replies.length > n, 15_000, nReplies);
  await until("audio_ended for the typed turn", () => window.parley.audioEnded >= 2, 20_000);
  p = await page.evaluate(() => ({ ...window.parley }));
  const typedReply = p.replies.slice(nReplies).join(" ");
  check(typedReply.trim().length > 0, `a typed turn is answered and spoken: "${typedReply}"`);
  checkReplyAudio(p, 1, typedReply);
  check(p.errors.length === 0, `no error events (${p.errors.join("; ") || "none"})`);
  check(p.framesDropped === 0, "no frames dropped");
  const log = await page.textContent("#log");
  check(log.includes(heard) && log.includes(replies[0]), "the log shows the transcript and the reply");

  if (ops) await killedConnectionResumes();

  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
  await page.click("#connect");
  await until("disconnected", () => window.parley.state === "disconnected", 3_000);
  check(true, "Disconnect returns to disconnected");
  console.log(`summary: ${JSON.stringify({ framesSent: p.framesSent, audioFramesReceived: p.audioFramesReceived,
    partials: p.partialTranscripts, finals: p.finalTranscripts, replies: p.replies, events: p.events })}`);
  await cleanup();
  console.log(`e2e browser: ok (${elapsed()})`);
}

main().catch((e) => fail(e.message || String(e)));
