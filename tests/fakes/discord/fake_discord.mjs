// The fake Discord as a process, for tests in other languages: it prints
// one JSON line per event on stdout and takes one JSON command per line on
// stdin. Its TLS key and certificate come from FAKE_DISCORD_KEY and
// FAKE_DISCORD_CERT; FAKE_DISCORD_MODES (comma-separated) limits the
// transport encryption modes offered; FAKE_DISCORD_REQUIRE_DAVE=1 closes
// clients without DAVE with 4017.
//
// Commands:
//   {"cmd":"speak","user":"u1","ssrc":4242,"frames_file":"…","swap_pairs":true,"lose":[3]}
//       the user joins the channel, speaks on ssrc, and the Opus frames of
//       frames_file (each a 2-byte big-endian length, then the packet) go
//       to every client, paced at 20 ms ("flood":N: N times over, unpaced)
//   {"cmd":"drop"}                 every voice WebSocket dropped without a close frame
//   {"cmd":"close","code":4015}    every voice WebSocket closed with a code
//   {"cmd":"leave","user":"u1"}    the user leaves the channel
//   {"cmd":"stats"}                counters
import { readFileSync } from 'node:fs';
import readline from 'node:readline';
import { AES, XCHACHA, FakeVoiceServer } from './voice_server.mjs';

const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const silence = Buffer.from([0xf8, 0xff, 0xfe]);

function readFrames(path) {
  const data = readFileSync(path);
  const frames = [];
  for (let at = 0; at + 2 <= data.length; ) {
    const n = data.readUInt16BE(at);
    frames.push(data.subarray(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return frames;
}

const modes = process.env.FAKE_DISCORD_MODES ? process.env.FAKE_DISCORD_MODES.split(',') : [AES, XCHACHA];
const voice = await new FakeVoiceServer({
  tls: { key: readFileSync(process.env.FAKE_DISCORD_KEY), cert: readFileSync(process.env.FAKE_DISCORD_CERT) },
  modes,
  requireDave: process.env.FAKE_DISCORD_REQUIRE_DAVE === '1',
}).start();

voice.on('ready', (s) => out({ event: 'voice_ready', session: s.id, mode: s.mode, ssrc: s.ssrc }));
voice.on('resumed', (r) => out({ event: 'voice_resumed', session: r.session, seq_ack: r.seqAck }));
voice.on('closed', (c) => out({ event: 'voice_closed', code: c.code }));
voice.on('speaking', (d) => out({ event: 'speaking', speaking: d.speaking, ssrc: d.ssrc }));
voice.on('audio', (f) => out({ event: 'audio', ssrc: f.ssrc, seq: f.sequence, bytes: f.opus.length, silence: f.opus.equals(silence) }));
voice.on('heartbeat', (d) => out({ event: 'voice_heartbeat', seq_ack: d.seq_ack }));

const commands = {
  async speak(c) {
    voice.announceUser(c.user, c.ssrc);
    // flood: the frames repeated `flood` times over, all at once, unpaced.
    const frames = readFrames(c.frames_file);
    const sent = c.flood ? Array(c.flood).fill(frames).flat() : frames;
    await voice.sendAudio(c.ssrc, sent, { swapPairs: !!c.swap_pairs, lose: c.lose || [], paced: !c.flood });
    out({ event: 'spoke', user: c.user });
  },
  drop() {
    voice.drop();
  },
  close(c) {
    voice.drop(c.code);
  },
  leave(c) {
    voice.removeUser(c.user);
  },
  stats() {
    out({ event: 'stats', ...voice.stats, identifies: voice.stats.identifies });
  },
};

out({ event: 'listening', voice_endpoint: voice.endpoint, modes });
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let c;
  try {
    c = JSON.parse(line);
  } catch {
    return out({ event: 'error', why: 'not JSON' });
  }
  const f = commands[c.cmd];
  if (!f) return out({ event: 'error', why: `unknown command ${c.cmd}` });
  Promise.resolve(f(c)).catch((e) => out({ event: 'error', why: String(e) }));
}).on('close', async () => {
  await voice.stop();
  process.exit(0);
});
