// The fake voice server against a client that is not ours: @discordjs/voice
// 0.19.2 (with opusscript) joins through a test adapter, in each transport
// encryption mode: the handshake, IP discovery, audio the fake sends reaches
// its receiver intact, audio it plays reaches the fake and decrypts there,
// a dropped connection resumes with seq_ack, and a server that requires
// DAVE closes a client without it with 4017.
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
const ids = { server_id: 'g1', user_id: 'u-bot', session_id: 'sess-1', token: 'voice-token' };

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

function join(server, guildId = 'g1', options = {}) {
  return joinVoiceChannel({
    channelId: 'c1', guildId, selfDeaf: false, debug: false, ...options,
    adapterCreator: (methods) => ({
      sendPayload() {
        setImmediate(() => {
          methods.onVoiceStateUpdate({ guild_id: guildId, channel_id: 'c1', user_id: ids.user_id, session_id: ids.session_id });
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

async function receiveFromFake(server, connection) {
  const frames = toneFrames(25);
  const got = [];
  server.announceUser('u-ann', 4242);
  await waitFor(connection.receiver.speaking, 'start', (u) => u === 'u-ann').catch(() => {});
  const stream = connection.receiver.subscribe('u-ann', { end: { behavior: EndBehaviorType.AfterSilence, duration: 500 } });
  stream.on('data', (p) => got.push(Buffer.from(p)));
  server.sendAudio(4242, frames);
  await once(stream, 'end');
  assert.equal(got.length, frames.length, 'every frame the fake sent reached @discordjs/voice');
  frames.forEach((f, i) => assert.ok(f.equals(got[i]), `frame ${i} arrived intact`));
}

async function sendToFake(server, connection) {
  const frames = toneFrames(30);
  const start = server.received.length;
  const player = createAudioPlayer();
  connection.subscribe(player);
  const speaking = waitFor(server, 'speaking', (d) => d?.speaking === 1);
  player.play(createAudioResource(Readable.from(frames), { inputType: StreamType.Opus }));
  await speaking;
  await entersState(player, AudioPlayerStatus.Idle, 10000);
  // Silence frames follow the last one; this client sends its last one
  // lazily, when the player next runs, so one may lead the next utterance.
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  let lead = start;
  const spoken = () => server.received.slice(lead).map((p) => p.opus);
  await waitFor(server, 'audio', () => {
    while (lead < server.received.length && server.received[lead].opus.equals(silence)) lead += 1;
    return spoken().length > frames.length;
  });
  const got = spoken();
  frames.forEach((f, i) => assert.ok(f.equals(got[i]), `frame ${i} decrypted by the fake`));
  assert.ok(got.slice(frames.length).every((s) => s.equals(silence)), 'trailing silence');
  const seqs = server.received.slice(lead).map((p) => p.sequence);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1] + 1) & 0xffff, 'consecutive RTP sequence');
  assert.equal(server.stats.decryptFailures, 0);
}

async function modeRoundTrip(mode) {
  const server = await new FakeVoiceServer({ tls, modes: [mode], expect: ids }).start();
  const connection = join(server);
  try {
    await entersState(connection, VoiceConnectionStatus.Ready, 15000);
    assert.equal([...server.sessions.values()][0].mode, mode);
    assert.equal(server.stats.discoveries >= 1, true, 'IP discovery over UDP');
    await receiveFromFake(server, connection);
    await sendToFake(server, connection);

    // An abrupt drop: the client resumes, acknowledging what it had seen.
    const sent = [...server.sessions.values()][0].seq;
    const resumed = waitFor(server, 'resumed', (r) => r !== undefined);
    server.drop();
    const r = await resumed;
    assert.equal(r.seqAck, sent, 'resume carries seq_ack of the last message');
    assert.equal(server.stats.identifies, 1, 'resumed, not identified again');
    await entersState(connection, VoiceConnectionStatus.Ready, 10000);
    await sendToFake(server, connection);
    console.log(`ok ${mode}: handshake, audio both ways, resume (seq_ack ${r.seqAck})`);
  } finally {
    connection.destroy();
    await server.stop();
  }
}

async function daveRequired() {
  const server = await new FakeVoiceServer({ tls, requireDave: true, expect: ids }).start();
  const connection = join(server, 'g1', { daveEncryption: false });
  try {
    const closed = await waitFor(server, 'closed', (c) => c !== undefined);
    assert.equal(closed.code, 4017);
    console.log('ok a server that requires DAVE closes a client without it with 4017');
  } finally {
    connection.destroy();
    await server.stop();
  }
}

await modeRoundTrip(AES);
await modeRoundTrip(XCHACHA);
await daveRequired();
console.log('reference client: all passed');
process.exit(0);
