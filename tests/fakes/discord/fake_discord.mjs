// The fake Discord as a process, for tests in other languages: it prints
// one JSON line per event on stdout and takes one JSON command per line on
// stdin. Its TLS key and certificate come from FAKE_DISCORD_KEY and
// FAKE_DISCORD_CERT; FAKE_DISCORD_MODES (comma-separated) limits the
// transport encryption modes offered.
//
// DAVE is required, as on Discord: identify without
// max_dave_protocol_version >= 1 is closed with 4017, and the users the
// fake makes speak are DAVE members (@snazzah/davey) that the client must
// welcome or be welcomed by, whose media it must decrypt, and that decrypt
// its media (every failure counted, see "stats" and "dave"). Settings:
//   FAKE_DISCORD_DAVE=off           the old transport-only fake (no DAVE)
//   FAKE_DISCORD_CHANNEL_ID=…       the channel, i.e. the MLS group id (a
//                                   snowflake; default 1000000000000000500);
//                                   user ids must be snowflakes too
//   FAKE_DISCORD_SPEAKERS_COMMIT=0  the fake's speakers never commit, so
//                                   the client's commits make every epoch
//   FAKE_DISCORD_LEAVE_GRACE_MS=…   a dropped session not resumed by then
//                                   leaves the group (default 5000)
//   FAKE_DISCORD_TRANSITION_TIMEOUT_MS=…  transitions execute by then even
//                                   without every op 23 (default 3000)
//   FAKE_DISCORD_REVOKE=1           a pending member that leaves has its Add
//                                   revoked (op 27 revoke), instead of being
//                                   added and removed (see dave_gateway.mjs)
//
// Commands:
//   {"cmd":"speak","user":"u1","ssrc":4242,"frames_file":"…","swap_pairs":true,"lose":[3],"tamper":[5]}
//       the user joins the channel, speaks on ssrc, and the Opus frames of
//       frames_file (each a 2-byte big-endian length, then the packet) go
//       to every client, paced at 20 ms ("flood":N: N times over, unpaced);
//       with DAVE it first waits until the group is quiet, and the frames
//       listed in "tamper" have their DAVE ciphertext corrupted
//   {"cmd":"join","user":"u1","ssrc":4242}  the user joins (a DAVE member)
//       without speaking; "joined" once the group is quiet again
//   {"cmd":"leave","user":"u1"}    the user leaves the channel (and the group)
//   {"cmd":"drop"}                 every voice WebSocket dropped without a close frame
//   {"cmd":"close","code":4015}    every voice WebSocket closed with a code
//   {"cmd":"tamper_inbound","count":1}  the next N non-silent frames from
//       clients have their DAVE ciphertext corrupted before the fake decrypts
//   {"cmd":"speakers_commit","on":false}  whether the fake's speakers commit
//   {"cmd":"sabotage","what":"commit","user":"…"}  the next op 29 ("commit")
//       or op 30 ("welcome") to that user is corrupted: it must send op 31
//       and a new key package, and is then removed and added again
//   {"cmd":"stats"}                counters
//   {"cmd":"dave"}                 the DAVE group as the gateway sees it,
//                                  and each speaker's own view
// Events: listening, voice_ready, voice_resumed, voice_closed, voice_left,
// speaking, audio ("e2ee": decrypted | failed | silence | unchecked),
// voice_heartbeat, spoke, joined, stats, dave, and the gateway's and
// speakers' dave_* events (see dave_gateway.mjs, dave_speaker.mjs).
import { readFileSync } from 'node:fs';
import readline from 'node:readline';
import { AES, DEFAULT_CHANNEL_ID, XCHACHA, FakeVoiceServer } from './voice_server.mjs';

// The test that reads us may end first: then there is no one to tell.
process.stdout.on('error', () => process.exit(0));
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

const env = process.env;
const modes = env.FAKE_DISCORD_MODES ? env.FAKE_DISCORD_MODES.split(',') : [AES, XCHACHA];
const number = (name, fallback) => (env[name] ? Number(env[name]) : fallback);
const voice = await new FakeVoiceServer({
  tls: { key: readFileSync(env.FAKE_DISCORD_KEY), cert: readFileSync(env.FAKE_DISCORD_CERT) },
  modes,
  dave: env.FAKE_DISCORD_DAVE === 'off' ? 'off' : 'required',
  channelId: env.FAKE_DISCORD_CHANNEL_ID || DEFAULT_CHANNEL_ID,
  daveLeaveGraceMs: number('FAKE_DISCORD_LEAVE_GRACE_MS', 5000),
  daveTransitionTimeoutMs: number('FAKE_DISCORD_TRANSITION_TIMEOUT_MS', 3000),
  daveRevoke: env.FAKE_DISCORD_REVOKE === '1',
  speakers: { commits: env.FAKE_DISCORD_SPEAKERS_COMMIT !== '0' },
}).start();

voice.on('ready', (s) => out({ event: 'voice_ready', session: s.id, mode: s.mode, ssrc: s.ssrc }));
voice.on('resumed', (r) => out({ event: 'voice_resumed', session: r.session, seq_ack: r.seqAck }));
voice.on('closed', (c) => out({ event: 'voice_closed', code: c.code }));
voice.on('speaking', (d) => out({ event: 'speaking', speaking: d.speaking, ssrc: d.ssrc }));
voice.on('audio', (f) => out({ event: 'audio', ssrc: f.ssrc, seq: f.sequence, bytes: f.opus.length, silence: f.opus.equals(silence), e2ee: f.e2ee ?? null }));
voice.on('heartbeat', (d) => out({ event: 'voice_heartbeat', seq_ack: d.seq_ack }));
voice.on('left', (l) => out({ event: 'voice_left', session: l.session, user: l.user }));
voice.on('dave', (e) => out(e));

const commands = {
  async speak(c) {
    voice.announceUser(c.user, c.ssrc);
    // flood: the frames repeated `flood` times over, all at once, unpaced.
    const frames = readFrames(c.frames_file);
    const sent = c.flood ? Array(c.flood).fill(frames).flat() : frames;
    await voice.sendAudio(c.ssrc, sent, { swapPairs: !!c.swap_pairs, lose: c.lose || [], paced: !c.flood, tamper: c.tamper || [] });
    out({ event: 'spoke', user: c.user });
  },
  async join(c) {
    voice.announceUser(c.user, c.ssrc);
    if (voice.daveOn) await voice.settle(voice.speakers.get(c.user));
    out({ event: 'joined', user: c.user, epoch: voice.daveOn ? voice.dave.snapshot().epoch : null });
  },
  tamper_inbound(c) {
    voice.tamperInbound += c.count ?? 1;
  },
  speakers_commit(c) {
    voice.options.speakers.commits = c.on !== false;
    for (const sp of voice.speakers.values()) sp.options.commits = c.on !== false;
  },
  dave() {
    out({ event: 'dave', ...voice.daveState() });
  },
  sabotage(c) {
    voice.dave.sabotage(c.what, c.user);
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
    const dave = voice.daveOn ? voice.dave.snapshot() : null;
    out({ event: 'stats', ...voice.stats, dave_epoch: dave?.epoch ?? null, dave_members: dave?.members.map((m) => m.user) ?? null });
  },
};

out({ event: 'listening', voice_endpoint: voice.endpoint, modes, dave: voice.options.dave, channel_id: voice.options.channelId });
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
