// The fake voice server against a client that is not ours: @discordjs/voice
// 0.19.2 (with opusscript, and @snazzah/davey for DAVE) joins through a
// test adapter, in each transport encryption mode. This is how the fake
// itself is checked: if a third-party DAVE client and the fake's own davey
// speakers agree with the fake's gateway on every step, a client under
// test that disagrees is wrong, not the fake.
//
// Checked: the handshake and IP discovery; DAVE both ways round: the
// library welcomed by a fake speaker's commit (it joins a group the fake's
// speakers already made) and the library's commit welcoming a fake
// speaker; the gateway's view (epoch, leaf indices, members) equal to every
// member's own, and one voice privacy code; media both ways end-to-end
// encrypted and decrypted; a tampered frame refused by davey on either
// side and counted; a member leaving mid-stream in each direction (the
// epoch advances, every frame still decrypts); a dropped connection
// resumed with seq_ack and DAVE intact; a corrupted commit answered with
// op 31 and a re-add; a sole-member reset and a new group after it; the
// library leaving (after the grace) and the speakers carrying on. Then: a
// server that requires DAVE closes a client without it with 4017, and the
// transport-only mode (dave: 'off') still works for clients without DAVE.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import OpusScript from 'opusscript';
import {
  joinVoiceChannel, entersState, VoiceConnectionStatus, createAudioPlayer, createAudioResource,
  StreamType, EndBehaviorType, AudioPlayerStatus,
} from '@discordjs/voice';
import { AES, XCHACHA, FakeVoiceServer } from './voice_server.mjs';

const tls = { key: readFileSync(process.env.FAKE_DISCORD_KEY), cert: readFileSync(process.env.FAKE_DISCORD_CERT) };
// DAVE credentials are 64-bit user ids and the group id is the channel id:
// snowflakes, as on Discord.
const CHANNEL = '1000000000000000500';
const ids = { server_id: '100000000000000001', user_id: '900000000000000900', session_id: 'sess-1', token: 'voice-token' };
const BOT = ids.user_id;
const [A, B, C, D, E] = ['800000000000000001', '800000000000000002', '800000000000000003', '800000000000000004', '800000000000000005'];
const SSRC = { [A]: 4242, [B]: 4343, [C]: 4444, [D]: 4545, [E]: 4646 };
const silence = Buffer.from([0xf8, 0xff, 0xfe]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A step that hangs fails with its name and the last DAVE events, rather
// than by the runner's timeout with nothing said.
let step = { name: 'start', at: Date.now(), events: [] };
const begin = (name, events = step.events) => {
  step = { name, at: Date.now(), events };
};
setInterval(() => {
  if (Date.now() - step.at < 30000) return;
  console.error(`FAIL: stuck for 30 s in: ${step.name}`);
  console.error(step.events.slice(-30).map((x) => JSON.stringify(x)).join('\n'));
  process.exit(1);
}, 1000).unref();

// The stream ended and is gone: until it closes, subscribe() hands out the
// same, ended stream again (and its end timer only starts with a packet).
async function ended(connection, user, stream, ms = 15000) {
  const timeout = sleep(ms).then(() => Promise.reject(new Error(`the receive stream did not end within ${ms} ms`)));
  await Promise.race([once(stream, 'end'), timeout]);
  await until('the receive stream closed', () => !connection.receiver.subscriptions.has(user), 2000);
}

// Real Opus: 20 ms frames of a 440 Hz tone, 48 kHz stereo.
function toneFrames(n) {
  const enc = new OpusScript(48000, 2, OpusScript.Application.AUDIO);
  const frames = [];
  for (let f = 0; f < n; f++) {
    const pcm = Buffer.alloc(960 * 2 * 2);
    for (let i = 0; i < 960; i++) {
      const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (f * 960 + i)) / 48000));
      pcm.writeInt16LE(v, 4 * i);
      pcm.writeInt16LE(v, 4 * i + 2);
    }
    frames.push(Buffer.from(enc.encode(pcm, 960)));
  }
  enc.delete();
  return frames;
}

function join(server, options = {}) {
  const guildId = ids.server_id;
  return joinVoiceChannel({
    channelId: CHANNEL, guildId, selfDeaf: false, debug: false, ...options,
    adapterCreator: (methods) => ({
      sendPayload() {
        setImmediate(() => {
          methods.onVoiceStateUpdate({ guild_id: guildId, channel_id: CHANNEL, user_id: ids.user_id, session_id: ids.session_id });
          methods.onVoiceServerUpdate({ guild_id: guildId, token: ids.token, endpoint: server.endpoint });
        });
        return true;
      },
      destroy() {},
    }),
  });
}

function waitFor(emitter, event, predicate, ms = 10000) {
  return new Promise((resolve, reject) => {
    if (predicate(undefined)) return resolve(undefined);
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const on = (x) => {
      if (predicate(x)) {
        clearTimeout(timer);
        emitter.off(event, on);
        resolve(x);
      }
    };
    emitter.on(event, on);
  });
}

async function until(what, predicate, ms = 10000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(10);
  }
}

// The library's davey session (inside its DAVE wrapper).
const libDave = (connection) => connection.state.networking.state.dave;

// Quiet (no proposals, no transition in flight, everyone in the group)
// with exactly these members.
async function groupIs(server, users) {
  const want = [...users].sort().join();
  await until(`group of ${want}`, () => server.dave.settled() && server.daveState().members.map((m) => m.user).sort().join() === want);
  for (const sp of server.speakers.values()) await until(`${sp.user} executed`, () => sp.pendingTransitions.size === 0);
}

// The gateway's view equals each member's own: epoch, leaf index, roster,
// and one voice privacy code for all.
function checkAgreement(server, connection) {
  const state = server.daveState();
  const roster = state.members.map((m) => m.user).sort().join();
  const codes = new Set();
  for (const m of state.members) {
    const own = m.user === BOT ? libDave(connection).session : server.speakers.get(m.user).session;
    assert.equal(Number(own.epoch), state.epoch, `${m.user}'s epoch`);
    assert.equal(own.ownLeafIndex, m.leaf, `${m.user}'s leaf index`);
    assert.equal(own.getUserIds().sort().join(), roster, `${m.user}'s roster`);
    codes.add(own.voicePrivacyCode);
  }
  assert.equal(codes.size, 1, 'one voice privacy code');
  if (state.members.some((m) => m.user === BOT)) assert.equal(connection.voicePrivacyCode, [...codes][0]);
  return state;
}

const commitsOf = (events, user) => events.filter((e) => e.event === 'dave_commit' && e.added.includes(user));

// A fake speaker's frames reach the library, which decrypts them; frames
// listed in `tamper` are refused by its davey (and counted there).
async function receiveFromFake(server, connection, user, { tamper = [], paced = false, during } = {}) {
  const frames = toneFrames(paced ? 50 : 25);
  const got = [];
  server.announceUser(user, SSRC[user]);
  // Packets from an SSRC it has not been told of (op 5) are dropped.
  await until('the library knows the SSRC', () => connection.receiver.ssrcMap.get(SSRC[user])?.userId === user);
  const stream = connection.receiver.subscribe(user, { end: { behavior: EndBehaviorType.AfterSilence, duration: 500 } });
  stream.on('data', (p) => got.push(Buffer.from(p)));
  const failuresBefore = libDave(connection).session.getDecryptionStats(user)?.failures ?? 0;
  const sending = server.sendAudio(SSRC[user], frames, { tamper, paced });
  if (during) setTimeout(during, 300);
  await sending;
  await ended(connection, user, stream);
  const expected = frames.filter((_, i) => !tamper.includes(i));
  assert.equal(got.length, expected.length, `every frame ${user} sent reached @discordjs/voice, decrypted, but the tampered`);
  expected.forEach((f, i) => assert.ok(f.equals(got[i]), `frame ${i} arrived intact`));
  const failures = libDave(connection).session.getDecryptionStats(user).failures - failuresBefore;
  assert.equal(failures, tamper.length, 'davey refused each tampered frame');
}

// The library plays; the fake's members decrypt what arrives. `during`
// runs mid-utterance.
async function sendToFake(server, connection, { n = 30, during } = {}) {
  const frames = toneFrames(n);
  const start = server.received.length;
  const failures = server.stats.daveDecryptFailures;
  const player = createAudioPlayer();
  connection.subscribe(player);
  const speaking = waitFor(server, 'speaking', (d) => d?.speaking === 1);
  player.play(createAudioResource(Readable.from(frames), { inputType: StreamType.Opus }));
  await speaking;
  if (during) setTimeout(during, 300);
  await entersState(player, AudioPlayerStatus.Idle, 10000);
  // Silence frames follow the last one; this client sends its last one
  // lazily, when the player next runs, so one may lead the next utterance.
  let lead = start;
  const spoken = () => server.received.slice(lead).map((p) => p.opus);
  await waitFor(server, 'audio', () => {
    while (lead < server.received.length && server.received[lead].opus.equals(silence)) lead += 1;
    return spoken().length > frames.length;
  });
  const got = server.received.slice(lead, lead + frames.length);
  frames.forEach((f, i) => assert.ok(f.equals(got[i].opus), `frame ${i} decrypted by the fake (${got[i].e2ee})`));
  assert.ok(got.every((p) => p.e2ee === 'decrypted'), 'end-to-end encrypted, and decrypted by the fake');
  assert.ok(server.received.slice(lead + frames.length).every((p) => p.opus.equals(silence)), 'trailing silence');
  const seqs = server.received.slice(lead).map((p) => p.sequence);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1] + 1) & 0xffff, 'consecutive RTP sequence');
  assert.equal(server.stats.decryptFailures, 0, 'transport');
  assert.equal(server.stats.daveDecryptFailures, failures, 'no DAVE decryption failure');
  player.stop();
}

async function daveRoundTrip(mode) {
  const server = await new FakeVoiceServer({ tls, modes: [mode], expect: ids, channelId: CHANNEL, daveLeaveGraceMs: 500 }).start();
  const events = [];
  server.on('dave', (e) => events.push(e));
  begin(`${mode}: start`, events);
  let connection;
  try {
    // Two fake speakers make the group; the library joins it and is
    // welcomed by one of them.
    begin(`${mode}: a fake speaker welcomes the library`);
    server.announceUser(A, SSRC[A]);
    server.announceUser(B, SSRC[B]);
    await groupIs(server, [A, B]);
    connection = join(server);
    await entersState(connection, VoiceConnectionStatus.Ready, 15000);
    assert.equal([...server.sessions.values()][0].mode, mode);
    assert.ok(server.stats.discoveries >= 1, 'IP discovery over UDP');
    await groupIs(server, [A, B, BOT]);
    const welcomedBot = commitsOf(events, BOT);
    assert.equal(welcomedBot.length, 1);
    assert.ok([A, B].includes(welcomedBot[0].user), 'a fake speaker committed the Add that welcomed the library');
    let state = checkAgreement(server, connection);
    assert.equal(state.epoch, 2);

    // Media both ways; a tampered frame each way is refused and counted.
    begin(`${mode}: media both ways, tampering`);
    await receiveFromFake(server, connection, A);
    await receiveFromFake(server, connection, A, { tamper: [3] });
    await sendToFake(server, connection);
    const before = server.stats.daveDecryptFailures;
    server.tamperInbound = 1;
    await sendToFake(server, connection, { n: 5 }).catch(() => {});
    assert.equal(server.stats.daveDecryptFailures, before + 1, 'the tampered frame from the library was refused by the fake');
    server.stats.daveDecryptFailures = before;

    // The library's commit welcomes a fake speaker (the speakers hold back).
    begin(`${mode}: the library welcomes a fake speaker`);
    const noCommits = (on) => {
      server.options.speakers.commits = on;
      for (const sp of server.speakers.values()) sp.options.commits = on;
    };
    noCommits(false);
    server.announceUser(C, SSRC[C]);
    await groupIs(server, [A, B, C, BOT]);
    assert.equal(commitsOf(events, C)[0].user, BOT, "the library's commit welcomed the fake speaker");
    state = checkAgreement(server, connection);
    assert.equal(state.epoch, 3);
    await sendToFake(server, connection);

    // Members leave mid-stream, committed by the library, then by a fake
    // speaker: the epoch advances and every frame still decrypts.
    begin(`${mode}: members leave mid-stream`);
    await receiveFromFake(server, connection, A, { paced: true, during: () => server.removeUser(B) });
    await groupIs(server, [A, C, BOT]);
    assert.equal(events.filter((e) => e.event === 'dave_commit').at(-1).user, BOT);
    assert.equal(checkAgreement(server, connection).epoch, 4);
    noCommits(true);
    await sendToFake(server, connection, { n: 50, during: () => server.removeUser(C) });
    await groupIs(server, [A, BOT]);
    assert.equal(checkAgreement(server, connection).epoch, 5);
    assert.equal(server.stats.daveTransitionFailures, 0, 'a member that stays never misses a frame');

    // An abrupt drop: the client resumes, acknowledging what it had seen,
    // and DAVE goes on where it was.
    begin(`${mode}: drop and resume`);
    const sent = [...server.sessions.values()][0].seq;
    const resumed = waitFor(server, 'resumed', (r) => r !== undefined);
    server.drop();
    const r = await resumed;
    assert.equal(r.seqAck, sent, 'resume carries seq_ack of the last message');
    assert.equal(server.stats.identifies, 1, 'resumed, not identified again');
    await entersState(connection, VoiceConnectionStatus.Ready, 10000);
    assert.equal(checkAgreement(server, connection).epoch, 5, 'DAVE state kept across the resume');
    await sendToFake(server, connection);
    await receiveFromFake(server, connection, A);

    // A corrupted commit: the library reports op 31, is removed and added
    // again (in the same commit as its new key package), and carries on.
    begin(`${mode}: op 31 after a corrupted commit`);
    server.dave.sabotage('commit', BOT);
    server.announceUser(D, SSRC[D]);
    await groupIs(server, [A, D, BOT]);
    assert.equal(server.dave.stats.invalidCommitWelcome, 1, 'op 31 from the library');
    assert.equal(checkAgreement(server, connection).epoch, 7, "D's add, then the library's remove and re-add");
    await receiveFromFake(server, connection, D);
    await sendToFake(server, connection);

    // Everyone else leaves: the library is the sole member and is reset
    // (op 24 epoch 1, op 21 transition 0); a new speaker makes a new group.
    begin(`${mode}: sole-member reset, new group`);
    server.removeUser(A);
    server.removeUser(D);
    const botPending = () => server.daveState().pending.some((p) => p.user === BOT && p.key_package);
    await until('sole member reset', () => server.dave.stats.soleMemberResets === 1 && botPending());
    assert.equal(server.daveState().established, false);
    server.announceUser(E, SSRC[E]);
    await groupIs(server, [E, BOT]);
    assert.equal(checkAgreement(server, connection).epoch, 1, 'a new group');
    await receiveFromFake(server, connection, E);
    await sendToFake(server, connection);

    // The library leaves; after the grace it is gone from the group.
    begin(`${mode}: the library leaves`);
    connection.destroy();
    connection = null;
    await until('the library left', () => server.daveState().members.every((m) => m.user !== BOT), 5000);
    assert.equal(server.dave.stats.soleMemberResets, 2, 'E alone again');
    assert.equal(server.stats.daveDecryptFailures, 0);
    assert.equal(server.dave.stats.keyPackagesRefused + server.dave.stats.commitsRefused, 0, 'nothing refused');
    assert.ok([...server.speakers.values()].every((sp) => sp.stats.errors === 0), 'no speaker error');
    const code = events.filter((e) => e.event === 'dave_speaker_transition').at(-1)?.privacy_code;
    console.log(`ok ${mode}: DAVE welcome both ways, media both ways, tampering refused, leaves mid-stream, resume, `
      + `op 31, sole-member reset (last privacy code ${code})`);
  } catch (e) {
    console.error(events.slice(-30).map((x) => JSON.stringify(x)).join('\n'));
    throw e;
  } finally {
    connection?.destroy();
    await server.stop();
  }
}

async function daveRequired() {
  const server = await new FakeVoiceServer({ tls, expect: ids, channelId: CHANNEL }).start();
  const connection = join(server, { daveEncryption: false });
  try {
    const closed = await waitFor(server, 'closed', (c) => c !== undefined);
    assert.equal(closed.code, 4017);
    console.log('ok a server that requires DAVE (the default) closes a client without it with 4017');
  } finally {
    connection.destroy();
    await server.stop();
  }
}

// dave: 'off', for clients that have no DAVE yet: transport encryption only.
async function transportOnly(mode) {
  const server = await new FakeVoiceServer({ tls, modes: [mode], expect: ids, dave: 'off' }).start();
  const connection = join(server, { daveEncryption: false });
  try {
    await entersState(connection, VoiceConnectionStatus.Ready, 15000);
    const frames = toneFrames(10);
    const got = [];
    server.announceUser('u-ann', 4242);
    await until('the library knows the SSRC', () => connection.receiver.ssrcMap.get(4242)?.userId === 'u-ann');
    const stream = connection.receiver.subscribe('u-ann', { end: { behavior: EndBehaviorType.AfterSilence, duration: 300 } });
    stream.on('data', (p) => got.push(Buffer.from(p)));
    await server.sendAudio(4242, frames);
    await ended(connection, 'u-ann', stream);
    assert.equal(got.length, frames.length);
    frames.forEach((f, i) => assert.ok(f.equals(got[i])));
    const player = createAudioPlayer();
    connection.subscribe(player);
    player.play(createAudioResource(Readable.from(frames), { inputType: StreamType.Opus }));
    await entersState(player, AudioPlayerStatus.Idle, 10000);
    await until('frames at the fake', () => server.received.filter((p) => !p.opus.equals(silence)).length >= frames.length);
    const heard = server.received.filter((p) => !p.opus.equals(silence)).map((p) => p.opus);
    frames.forEach((f, i) => assert.ok(f.equals(heard[i])));
    console.log(`ok ${mode}: dave 'off' is the transport-only fake`);
  } finally {
    connection.destroy();
    await server.stop();
  }
}

await daveRoundTrip(AES);
await daveRoundTrip(XCHACHA);
await daveRequired();
await transportOnly(AES);
console.log('reference client: all passed');
process.exit(0);
