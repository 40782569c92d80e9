// parleyd on Discord, end to end against the fake Discord (gateway, REST and
// voice server in tests/fakes/discord): register the commands (through one
// 429), /voice join from someone not in a channel (an ephemeral error),
// then from someone who is; DAVE is required (as on Discord): the person is
// a @snazzah/davey member of the call's MLS group with the bot, their
// speech is end-to-end encrypted, and the spoken answer comes back
// encrypted for the group, which the fake's davey member decrypts and the
// fake decodes; /voice status and /actors show the same voice privacy code
// the davey member sees; the gateway drops
// (resume), the voice WebSocket drops (resume with seq_ack), the voice
// connection actor is killed through the ops API (it resumes and the next
// turn is answered); the gateway actor is killed too; /voice status,
// /voice leave; left alone in the channel, the bot leaves by itself. The
// token never shows in the log. Usage: node e2e_discord.mjs PARLEYD (run by run_e2e.sh).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { FakeGateway } from '../fakes/discord/gateway_server.mjs';
import { FakeVoiceServer } from '../fakes/discord/voice_server.mjs';

const require = createRequire(new URL('../fakes/discord/package.json', import.meta.url));
const OpusScript = require('opusscript');

const parleyd = process.argv[2];
const tls = { key: readFileSync(process.env.FAKE_DISCORD_KEY), cert: readFileSync(process.env.FAKE_DISCORD_CERT) };
const TOKEN = `Bot.token.${Math.random().toString(36).slice(2)}`;
const OPS_TOKEN = 'discord-e2e-ops-token';
const silence = Buffer.from([0xf8, 0xff, 0xfe]);
const step = (what) => console.log(`e2e: ${what}`);
// Snowflakes: DAVE carries user and channel ids as 64-bit numbers.
const ANN = '1000000000000000011';
const BOB = '1000000000000000012';
const CHANNEL = '1000000000000000500';

function waitFor(emitter, event, predicate = () => true, ms = 30000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const on = (x) => {
      if (!predicate(x)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(x);
    };
    emitter.on(event, on);
  });
}

// "go forward ten meters" (pocketsphinx's recording, 16 kHz) as 20 ms Opus
// frames at 48 kHz, and the five frames of silence a Discord client sends
// after speech; nothing while quiet, as Discord clients do.
function goforward() {
  const raw = readFileSync('/usr/share/pocketsphinx/test/data/goforward.raw');
  const n = raw.length / 2;
  const pcm = Buffer.alloc(n * 3 * 2);
  for (let i = 0; i < n * 3; i++) {
    const a = raw.readInt16LE(2 * Math.min(n - 1, Math.floor(i / 3)));
    const b = raw.readInt16LE(2 * Math.min(n - 1, Math.floor(i / 3) + 1));
    pcm.writeInt16LE(Math.round(a + ((b - a) * (i % 3)) / 3), 2 * i);
  }
  const enc = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  const frames = [];
  for (let at = 0; at + 1920 <= pcm.length; at += 1920) frames.push(Buffer.from(enc.encode(pcm.subarray(at, at + 1920), 960)));
  enc.delete();
  return [...frames, ...Array(5).fill(silence)];
}

// The bot's answer as the fake received it: frames between speaking on and
// off, decoded; its loudness shows it is speech, not silence.
async function speakAndHear(voice, user, ssrc) {
  const start = voice.received.length;
  voice.announceUser(user, ssrc);
  const on = waitFor(voice, 'speaking', (d) => d.speaking === 1, 60000);
  await voice.sendAudio(ssrc, goforward(), { paced: true });
  await on;
  await waitFor(voice, 'speaking', (d) => d.speaking === 0, 60000);
  const frames = voice.received.slice(start).map((p) => p.opus).filter((o) => !o.equals(silence));
  const dec = new OpusScript(48000, 1);
  let energy = 0;
  let samples = 0;
  for (const f of frames) {
    const pcm = Buffer.from(dec.decode(f));
    for (let i = 0; i + 1 < pcm.length; i += 2) energy += pcm.readInt16LE(i) ** 2;
    samples += pcm.length / 2;
  }
  dec.delete();
  return { frames: frames.length, rms: Math.sqrt(energy / Math.max(1, samples)) };
}

async function ops(base, path, method = 'GET') {
  const r = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${OPS_TOKEN}` } });
  return { status: r.status, body: await r.text() };
}

const voice = await new FakeVoiceServer({ tls }).start();
const gw = await new FakeGateway({ tls, token: TOKEN, voice, guild: '100', rateLimitFirst: true }).start();
const env = {
  ...process.env,
  DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: '777', DISCORD_GUILD_ID: '100',
  PARLEY_DISCORD_GATEWAY_URL: gw.gatewayUrl, PARLEY_DISCORD_API_URL: gw.apiUrl,
  PARLEY_DISCORD_CA_FILE: process.env.FAKE_DISCORD_CERT,
  PARLEY_VOICE_ADDR: '127.0.0.1:0', PARLEY_OPS_ADDR: '127.0.0.1:0', PARLEY_CHAOS: '1',
  PARLEY_OPS_TOKEN: OPS_TOKEN, PARLEY_LOG_LEVEL: 'info', PARLEY_DISCORD_EMPTY_LEAVE_SECONDS: '1',
};

step('register-commands through a 429');
const registered = await promisify(execFile)(parleyd, ['register-commands'], { env });
assert.match(registered.stdout, /registered \/voice join\|leave\|status in guild 100 after 2 attempt/);
assert.match(registered.stdout, /invite: https:\/\/discord.com\/oauth2\/authorize\?client_id=777&scope=bot%20applications.commands&permissions=3146752/);
assert.equal(gw.registrations, 2);
assert.equal(gw.commands.guild, '100');
assert.deepEqual(gw.commands.commands[0].options.map((o) => o.name), ['join', 'leave', 'status']);

step('parleyd starts and identifies');
let log = '';
const proc = spawn(parleyd, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
proc.stdout.on('data', (d) => (log += d));
proc.stderr.on('data', (d) => (log += d));
const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
try {
  const identify = await waitFor(gw, 'identify');
  assert.equal(identify.intents & 129, 129, 'GUILDS and GUILD_VOICE_STATES');
  // Ready once the speech engines have loaded, as the ops /readyz says.
  await waitFor(proc.stdout, 'data', () => /"msg":"gateway ready"/.test(log) && /"msg":"supervision tree is up"/.test(log));
  const opsLine = log.split('\n').find((l) => l.includes('"msg":"ops endpoint listening"'));
  const opsBase = `http://127.0.0.1:${JSON.parse(opsLine).addr.split(':').pop()}`;

  step('/voice join from someone not in a voice channel');
  const lonely = await gw.command(BOB, 'join');
  assert.equal(lonely.type, 4);
  assert.equal(lonely.data.flags, 64, 'ephemeral');
  assert.match(lonely.data.content, /Join a voice channel first/);

  step('/voice join from someone in a voice channel');
  gw.userVoice(ANN, CHANNEL);
  const ready = waitFor(voice, 'ready');
  const joined = await gw.command(ANN, 'join');
  assert.match(joined.data.content, new RegExp(`Joining <#${CHANNEL}>`));
  await ready;

  step('they speak; the answer is heard');
  let heard = await speakAndHear(voice, ANN, 4242);
  assert.ok(heard.frames > 25, `${heard.frames} frames of answer`);
  assert.ok(heard.rms > 300, `the answer is speech (rms ${heard.rms.toFixed(0)})`);
  assert.equal(voice.stats.decryptFailures, 0);
  const endToEnd = (server) => {
    assert.equal(server.stats.daveDecryptFailures, 0, 'every frame of the answer decrypts for the davey member');
    assert.equal(server.stats.daveUnencrypted, 0, 'nothing sent unencrypted');
    assert.ok(server.stats.daveDecrypted > 25, `${server.stats.daveDecrypted} frames decrypted end to end`);
  };
  endToEnd(voice);

  step('the voice server moves while a turn is in progress: answered on the new one');
  const voice2 = await new FakeVoiceServer({ tls }).start();
  try {
    voice.announceUser(ANN, 4242);
    await voice.sendAudio(4242, goforward(), { paced: true });
    const moved = waitFor(voice2, 'ready');
    gw.moveVoiceServer(voice2);
    await moved;
    voice2.announceUser(ANN, 4242);
    await waitFor(voice2, 'speaking', (d) => d.speaking === 1, 60000);
    await waitFor(voice2, 'speaking', (d) => d.speaking === 0, 60000);
    const answered = voice2.received.filter((p) => !p.opus.equals(silence)).length;
    assert.ok(answered > 25, `the turn spoken before the move is answered after it (${answered} frames)`);
  } finally {
    // Back to the first server for the rest.
    const back = waitFor(voice, 'ready');
    gw.moveVoiceServer(voice);
    await back;
    await voice2.stop();
  }

  step('the gateway drops: parleyd resumes');
  const resumed = waitFor(gw, 'resumed');
  gw.drop();
  await resumed;
  assert.equal(gw.identifies, 1, 'resumed, not identified again');

  step('the voice WebSocket drops: resumed with seq_ack');
  const vresumed = waitFor(voice, 'resumed');
  voice.drop();
  const vr = await vresumed;
  assert.ok(vr.seqAck >= 2, `seq_ack ${vr.seqAck}`);

  step('the voice connection actor is killed: it resumes and answers');
  const flat = (n) => [n, ...(n.children || []).flatMap(flat)];
  const tree = JSON.parse((await ops(opsBase, '/actors')).body);
  const all = (Array.isArray(tree) ? tree : [tree]).flatMap(flat);
  const conn = all.find((a) => a.kind === 'discord_voice');
  assert.ok(conn, 'discord_voice is in /actors');
  assert.equal(conn.labels.channel, CHANNEL);
  assert.equal(conn.labels.guild, '100');
  assert.ok(all.some((a) => a.kind === 'discord_member' && a.labels.user === ANN), 'its member');
  assert.ok(all.some((a) => a.kind === 'discord_gateway' && a.labels.shard === '0/1'), 'the gateway');
  const again = waitFor(voice, 'resumed');
  assert.equal((await ops(opsBase, `/actors/${conn.id}/kill`, 'POST')).status, 202);
  await again;
  heard = await speakAndHear(voice, ANN, 4242);
  assert.ok(heard.frames > 25 && heard.rms > 300, 'answered after the kill');
  assert.equal(voice.stats.identifies, 2, 'never identified again since the move back');

  step('the gateway actor is killed: it and its voice connection resume, and answer');
  const tree2 = JSON.parse((await ops(opsBase, '/actors')).body);
  const gateway = (Array.isArray(tree2) ? tree2 : [tree2]).flatMap(flat).find((a) => a.kind === 'discord_gateway');
  const gwResumed = waitFor(gw, 'resumed');
  const voiceResumed = waitFor(voice, 'resumed');
  assert.equal((await ops(opsBase, `/actors/${gateway.id}/kill`, 'POST')).status, 202);
  await gwResumed;
  await voiceResumed;
  heard = await speakAndHear(voice, ANN, 4242);
  assert.ok(heard.frames > 25 && heard.rms > 300, 'answered after the gateway was killed');
  assert.equal(gw.identifies, 1, 'the gateway never identified again');
  assert.equal(voice.stats.identifies, 2, 'nor did the voice connection');
  const metrics = (await ops(opsBase, '/metrics')).body;
  const metric = (name) => Number((metrics.match(new RegExp(`^${name} (\\S+)$`, 'm')) || [])[1]);
  assert.ok(metric('parley_discord_gateway_resumes_total') >= 2, 'gateway resumes counted');
  assert.ok(metric('parley_discord_voice_resumes_total') >= 3, 'voice resumes counted');
  assert.ok(metric('parley_discord_voice_packets_out_total') > 75, 'packets out counted');
  assert.equal(metric('parley_discord_voice_connections'), 1);

  endToEnd(voice);
  const code = voice.daveState().speakers.find((sp) => sp.user === ANN).privacy_code;
  const tree3 = JSON.parse((await ops(opsBase, '/actors')).body);
  const conn3 = (Array.isArray(tree3) ? tree3 : [tree3]).flatMap(flat).find((a) => a.kind === 'discord_voice');
  assert.equal(conn3.labels.privacy_code, code, 'the ops endpoint shows the privacy code the davey member sees');
  assert.equal(metric('parley_discord_dave_invalid_total'), 0);

  step('/voice status and /voice leave');
  const status = await gw.command(ANN, 'status');
  console.log(`e2e: /voice status says: ${status.data.content}`);
  assert.match(status.data.content, new RegExp(`In <#${CHANNEL}> with 1 person\\.`));
  assert.match(status.data.content, /Last turns answered in \d+(, \d+)* ms/);
  const grouped = code.match(/.{5}/g).join(' ');
  assert.ok(status.data.content.includes(`voice privacy code ${grouped}.`), 'the privacy code in /voice status');
  assert.match(status.data.content, /End-to-end encrypted \(DAVE 1, epoch \d+, 2 members\)/);
  const closed = waitFor(voice, 'closed');
  const left = await gw.command(ANN, 'leave');
  assert.match(left.data.content, new RegExp(`Left <#${CHANNEL}>`));
  const leaveOp = gw.opsFromBot.at(-1);
  assert.equal(leaveOp.d.channel_id, null);
  await closed;

  step('alone in the channel, the bot leaves by itself');
  const rejoined = waitFor(voice, 'ready');
  assert.match((await gw.command(ANN, 'join')).data.content, new RegExp(`Joining <#${CHANNEL}>`));
  await rejoined;
  const leftAlone = waitFor(gw, 'voice_state_update', (d) => d.channel_id === null, 10000);
  gw.userVoice(ANN, null);
  await leftAlone;
  assert.match(log, /"msg":"voice channel empty: leaving"/);

  step('a second parleyd with a wrong token: closed for good, and /readyz says why');
  let badLog = '';
  const bad = spawn(parleyd, [], { env: { ...env, DISCORD_TOKEN: `${TOKEN}.wrong` }, stdio: ['ignore', 'pipe', 'pipe'] });
  bad.stdout.on('data', (d) => (badLog += d));
  bad.stderr.on('data', (d) => (badLog += d));
  const badExited = new Promise((r) => bad.on('exit', (code) => r(code)));
  await waitFor(bad.stdout, 'data', () => /"msg":"gateway closed for good: authentication failed/.test(badLog) &&
    /"msg":"ops endpoint listening"/.test(badLog));
  const badOps = badLog.split('\n').find((l) => l.includes('"msg":"ops endpoint listening"'));
  const badReady = await fetch(`http://127.0.0.1:${JSON.parse(badOps).addr.split(':').pop()}/readyz`);
  assert.equal(badReady.status, 503);
  assert.match((await badReady.json()).checks.discord, /closed the gateway for good \(4004\).*DISCORD_TOKEN/);
  assert.ok(!badLog.includes(TOKEN), 'the wrong token is not logged either');
  bad.kill('SIGTERM');
  assert.equal(await badExited, 0);

  assert.ok(!log.includes(TOKEN), 'the bot token never appears in the log');
  assert.ok(!/"msg":"turn failed"/.test(log), 'every turn was answered, none apologised for');
  console.log('discord e2e: all passed');
} catch (e) {
  console.error(log.split('\n').slice(-60).join('\n'));
  throw e;
} finally {
  proc.kill('SIGTERM');
  const end = await exited;
  await gw.stop();
  await voice.stop();
  if (end.code !== 0) {
    console.error(log.split('\n').slice(-30).join('\n'));
    console.error(`parleyd ended with ${JSON.stringify(end)}, not 0`);
    process.exit(1);
  }
}
process.exit(0);
