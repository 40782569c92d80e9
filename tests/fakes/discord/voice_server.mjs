// A stand-in for one Discord voice server, from the published protocol
// (Discord's developer docs, "Voice Connections"): the voice gateway v8 over
// TLS (hello, identify, ready, select protocol, session description,
// heartbeats with seq_ack, resume that re-sends what the client missed,
// speaking, clients connect/disconnect) and the UDP side (IP discovery, RTP
// in both rtpsize transport encryption modes). Tests steer it: drop
// connections, reorder and lose packets.
//
// DAVE (end-to-end encryption on MLS) is on by default because Discord
// requires it: a client whose identify does not offer it is closed with
// 4017, as Discord closes it. With DAVE the session description says
// protocol version 1 and the gateway half of the protocol runs in
// dave_gateway.mjs; binary frames share the JSON messages' sequence
// numbers (a client acknowledges both with seq_ack, and a resume re-sends
// both), which is why they go through the same numbered send. The users
// the fake makes speak are real MLS members (dave_speaker.mjs), so what the
// client sends is only readable if its DAVE works, and what it receives is
// only playable if it decrypts; everything the fake could not decrypt is
// counted. A session that drops stays in the group for a grace period, as
// a resume must find its DAVE state intact; after that it leaves (op 13 to
// the others, a Remove proposal). `dave: 'off'` is the old transport-only
// fake, for tests of clients that have no DAVE yet.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import https from 'node:https';
import { xchacha20poly1305 } from '@noble/ciphers/chacha';
import { WebSocketServer } from 'ws';
import { DaveGateway, OP } from './dave_gateway.mjs';
import { DaveSpeaker } from './dave_speaker.mjs';

export const AES = 'aead_aes256_gcm_rtpsize';
export const XCHACHA = 'aead_xchacha20_poly1305_rtpsize';
const TAG = 16;
export const DEFAULT_CHANNEL_ID = '1000000000000000500';
const SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const isSnowflake = (id) => typeof id === 'string' && /^[0-9]{1,20}$/.test(id) && BigInt(id) < 2n ** 64n;

function nonceOf(mode, counter) {
  const n = Buffer.alloc(mode === AES ? 12 : 24);
  n.writeUInt32BE(counter, 0);
  return n;
}

// The rtpsize framing: header (+ extension header) in the clear as AAD,
// the rest sealed, the 4-byte nonce counter last.
export function sealPacket(mode, key, header, payload, counter) {
  const nonce = nonceOf(mode, counter);
  let sealed;
  if (mode === AES) {
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(header);
    sealed = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  } else {
    sealed = Buffer.from(xchacha20poly1305(key, nonce, header).encrypt(payload));
  }
  return Buffer.concat([header, sealed, nonce.subarray(0, 4)]);
}

export function openPacket(mode, key, packet) {
  if (packet.length < 12 + TAG + 4 || packet[0] >> 6 !== 2) return null;
  const csrcs = packet[0] & 0x0f;
  const extension = (packet[0] & 0x10) !== 0;
  const clear = 12 + 4 * csrcs + (extension ? 4 : 0);
  if (packet.length < clear + TAG + 4) return null;
  const header = packet.subarray(0, clear);
  const nonce = nonceOf(mode, packet.readUInt32BE(packet.length - 4));
  const sealed = packet.subarray(clear, packet.length - 4);
  let plain;
  try {
    if (mode === AES) {
      const d = createDecipheriv('aes-256-gcm', key, nonce);
      d.setAAD(header);
      d.setAuthTag(sealed.subarray(sealed.length - TAG));
      plain = Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
    } else {
      plain = Buffer.from(xchacha20poly1305(key, nonce, header).decrypt(sealed));
    }
  } catch {
    return null;
  }
  const skip = extension ? 4 * packet.readUInt16BE(clear - 2) : 0;
  if (skip > plain.length) return null;
  return {
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    opus: plain.subarray(skip),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class FakeVoiceServer extends EventEmitter {
  // options: tls {key, cert}; modes offered; dave: 'required' (default:
  // identify without max_dave_protocol_version >= 1 is closed with 4017)
  // or 'off' (transport encryption only, DAVE never negotiated);
  // channelId: the voice channel (a snowflake; it is the MLS group id);
  // heartbeatInterval; expect {server_id, user_id, session_id, token}
  // (wrong ones close 4004); daveLeaveGraceMs: a dropped DAVE session not
  // resumed by then leaves the group; daveTransitionTimeoutMs: a
  // transition executes by then even if someone never said ready;
  // daveRevoke: revoke a leaving pending member's Add (see dave_gateway.mjs);
  // daveSettleMs: how long a fake speaker waits for the group to be quiet
  // before it speaks; speakers: options of the fake's davey speakers
  // (commits, commitDelayMs, graceMs: see dave_speaker.mjs).
  constructor(options) {
    super();
    this.options = {
      modes: [XCHACHA, AES], dave: 'required', channelId: DEFAULT_CHANNEL_ID, heartbeatInterval: 13750,
      daveLeaveGraceMs: 5000, daveTransitionTimeoutMs: 3000, daveSettleMs: 10000, daveRevoke: false, speakers: {}, ...options,
    };
    this.sessions = new Map(); // session_id -> { ssrc, mode, key, seq, sent[], acked, ws, remote, user, dave }
    this.speakers = new Map(); // user -> DaveSpeaker
    this.received = []; // { ssrc, sequence, opus, e2ee } decrypted from the client
    this.stats = {
      decryptFailures: 0, discoveries: 0, identifies: 0, resumes: 0, heartbeats: 0,
      // Frames from clients: decrypted by the fake's DAVE members; not
      // decryptable (outside a transition: the client's fault; during
      // one: expected); not DAVE frames at all; no member could check.
      daveDecrypted: 0, daveDecryptFailures: 0, daveTransitionFailures: 0, daveUnencrypted: 0, daveUnchecked: 0,
    };
    this.tamperInbound = 0;
    this.lastSsrc = 1000;
  }

  get daveOn() {
    return this.options.dave !== 'off';
  }

  // The channel's group, made when first needed so that a test (or the
  // fake gateway) can name the channel after construction.
  get dave() {
    if (!this.daveOn) return null;
    const stale = this.daveGateway && this.daveGateway.channelId !== this.options.channelId && this.daveGateway.connected().length === 0;
    if (!this.daveGateway || stale) {
      this.daveGateway = new DaveGateway({
        channelId: this.options.channelId, transitionTimeoutMs: this.options.daveTransitionTimeoutMs, revoke: this.options.daveRevoke,
      });
      this.daveGateway.on('dave', (e) => this.emit('dave', e));
    }
    return this.daveGateway;
  }

  async start() {
    this.https = https.createServer(this.options.tls);
    this.wss = new WebSocketServer({ server: this.https });
    this.wss.on('connection', (ws, req) => this.accept(ws, req));
    this.udp = dgram.createSocket('udp4');
    this.udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    await new Promise((r) => this.https.listen(0, '127.0.0.1', r));
    await new Promise((r) => this.udp.bind(0, '127.0.0.1', r));
    this.endpoint = `127.0.0.1:${this.https.address().port}`;
    this.udpPort = this.udp.address().port;
    return this;
  }

  async stop() {
    this.stopped = true;
    for (const s of this.sessions.values()) clearTimeout(s.leaveTimer);
    for (const sp of this.speakers.values()) sp.left = true;
    if (this.daveGateway) this.daveGateway.reset(null);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise((r) => this.wss.close(r));
    await new Promise((r) => this.https.close(r));
    this.udp.close();
  }

  accept(ws, req) {
    const version = new URL(req.url, 'https://x').searchParams.get('v');
    if (version !== '8') {
      ws.close(4012, 'unknown protocol version');
      return;
    }
    const conn = { ws, session: null };
    ws.send(JSON.stringify({ op: 8, d: { heartbeat_interval: this.options.heartbeatInterval } }));
    ws.on('message', (data, binary) => {
      if (binary) return this.onBinary(conn, Buffer.from(data));
      let m;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return ws.close(4002, 'failed to decode payload');
      }
      this.onMessage(conn, m);
    });
    ws.on('close', (code) => {
      this.emit('closed', { session: conn.session, code });
      const s = conn.session;
      if (s && s.inGroup && s.ws === ws && !s.ended && !this.stopped) {
        clearTimeout(s.leaveTimer);
        s.leaveTimer = setTimeout(() => s.ws === ws && this.endSession(s, true), this.options.daveLeaveGraceMs);
        s.leaveTimer.unref();
      }
    });
  }

  // Numbered messages are kept so a resume can re-send what was missed;
  // binary (DAVE) frames are numbered in the same sequence, as u16.
  send(s, op, d) {
    s.seq += 1;
    this.keep(s, JSON.stringify({ op, seq: s.seq, d }));
  }

  sendBinary(s, op, payload) {
    s.seq += 1;
    const head = Buffer.alloc(3);
    head.writeUInt16BE(s.seq & 0xffff, 0);
    head[2] = op;
    this.keep(s, Buffer.concat([head, payload]));
  }

  keep(s, data) {
    s.sent.push({ seq: s.seq, data });
    if (s.sent.length > 100) s.sent.shift();
    if (s.ws && s.ws.readyState === 1) s.ws.send(data);
  }

  onMessage(conn, m) {
    const d = m.d || {};
    const s = conn.session;
    switch (m.op) {
      case 0:
        return this.identify(conn, d);
      case 7:
        return this.resume(conn, d);
      case 3:
        this.stats.heartbeats += 1;
        if (s && typeof d.seq_ack === 'number') s.acked = d.seq_ack;
        this.emit('heartbeat', d);
        return conn.ws.send(JSON.stringify({ op: 6, d: { t: d.t } }));
      case 1:
        return this.selectProtocol(conn, d);
      case 5:
        if (s) s.speaking = d.speaking;
        return this.emit('speaking', d);
      case OP.TRANSITION_READY:
        if (s?.inGroup) this.dave.onReady(s, d.transition_id);
        return;
      case OP.INVALID_COMMIT_WELCOME:
        if (s?.inGroup) this.dave.onInvalid(s, d.transition_id);
        return;
      default:
        // Discord's undocumented client ops are not ours to guess: refuse.
        return conn.ws.close(4001, 'unknown opcode');
    }
  }

  // Client -> server binary frames: [u8 opcode][payload], no sequence.
  onBinary(conn, buf) {
    this.emit('binary', buf);
    if (!this.daveOn) return;
    const s = conn.session;
    if (!s?.inGroup || buf.length < 1) {
      this.emit('dave', { event: 'dave_refused', what: `binary op ${buf[0]}`, user: s?.user ?? null, why: 'before select protocol' });
      return;
    }
    const payload = buf.subarray(1);
    if (buf[0] === OP.KEY_PACKAGE) return this.dave.onKeyPackage(s, payload);
    if (buf[0] === OP.COMMIT_WELCOME) return this.dave.onCommitWelcome(s, payload);
    conn.ws.close(4001, 'unknown opcode');
  }

  identify(conn, d) {
    if (conn.session) return conn.ws.close(4005, 'already authenticated');
    const e = this.options.expect || {};
    for (const k of ['server_id', 'user_id', 'session_id', 'token'])
      if (typeof d[k] !== 'string' || (e[k] && e[k] !== d[k])) return conn.ws.close(4004, 'authentication failed');
    this.stats.identifies += 1;
    const dave = this.daveOn;
    if (dave && !(d.max_dave_protocol_version >= 1)) return conn.ws.close(4017, 'E2EE/DAVE protocol required');
    if (dave && !(isSnowflake(d.user_id) && isSnowflake(this.options.channelId))) {
      this.emit('dave', { event: 'dave_refused', what: 'identify', user: d.user_id, why: 'DAVE needs snowflake user and channel ids' });
      return conn.ws.close(4004, 'authentication failed: DAVE needs snowflake user and channel ids');
    }
    // The same user identifying again replaces its earlier session (and
    // that one's place in the group).
    for (const old of [...this.sessions.values()]) if (old.user === d.user_id || old.id === d.session_id) this.endSession(old, false);
    const s = {
      id: d.session_id, user: d.user_id, kind: 'socket', dave, ssrc: ++this.lastSsrc, seq: 0, sent: [], acked: -1, ws: conn.ws,
      knownSsrcs: new Set(),
    };
    s.sendJson = (op, x) => this.send(s, op, x);
    s.sendBinary = (op, payload) => this.sendBinary(s, op, payload);
    s.outSeq = Math.floor(Math.random() * 65536);
    s.outTs = Math.floor(Math.random() * 2 ** 32);
    s.outNonce = 0;
    this.sessions.set(s.id, s);
    conn.session = s;
    this.send(s, 2, { ssrc: s.ssrc, ip: '127.0.0.1', port: this.udpPort, modes: this.options.modes, heartbeat_interval: 1 });
  }

  resume(conn, d) {
    const s = this.sessions.get(d.session_id);
    if (!s || !s.key || d.token !== (this.options.expect?.token ?? d.token) || d.server_id !== (this.options.expect?.server_id ?? d.server_id))
      return conn.ws.close(4006, 'session no longer valid');
    this.stats.resumes += 1;
    clearTimeout(s.leaveTimer);
    s.ws = conn.ws;
    conn.session = s;
    s.acked = typeof d.seq_ack === 'number' ? d.seq_ack : -1;
    for (const m of s.sent) if (m.seq > s.acked) conn.ws.send(m.data);
    conn.ws.send(JSON.stringify({ op: 9, d: null }));
    this.emit('resumed', { session: s.id, seqAck: d.seq_ack });
  }

  selectProtocol(conn, d) {
    const s = conn.session;
    if (!s) return conn.ws.close(4003, 'not authenticated');
    const data = d.data || {};
    if (d.protocol !== 'udp' || !this.options.modes.includes(data.mode)) return conn.ws.close(4016, 'unknown encryption mode');
    s.mode = data.mode;
    s.key = randomBytes(32);
    s.remote = { address: data.address, port: data.port };
    this.send(s, 4, { mode: s.mode, secret_key: [...s.key], dave_protocol_version: s.dave ? 1 : 0 });
    // The external sender package must follow the session description:
    // clients make their DAVE session from it.
    if (s.dave && !s.inGroup) this.enter(s);
    this.emit('ready', s);
  }

  // Everyone else in the channel: sessions that have not ended, and the
  // fake's speakers.
  audience(exceptUser) {
    return [...this.sessions.values(), ...this.speakers.values()].filter((p) => !p.ended && p.user !== exceptUser);
  }

  // A participant joins the DAVE group. Clients check every Add proposal
  // against the users the gateway said are connected (op 11), so that
  // comes first, both ways.
  enter(p) {
    const others = this.audience(p.user);
    const ids = [...new Set(others.map((q) => q.user))];
    if (ids.length > 0) p.sendJson(11, { user_ids: ids });
    for (const q of others) q.sendJson(11, { user_ids: [p.user] });
    p.inGroup = true;
    if (p.kind === 'speaker') p.join();
    else this.dave.join(p);
  }

  endSession(s, notify) {
    if (s.ended) return;
    s.ended = true;
    clearTimeout(s.leaveTimer);
    if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
    if (s.inGroup) this.dave.leave(s);
    if (notify) for (const q of this.audience(s.user)) q.sendJson(13, { user_id: s.user });
    this.emit('left', { session: s.id, user: s.user });
  }

  onDatagram(msg, rinfo) {
    if (msg.length === 74 && msg.readUInt16BE(0) === 1 && msg.readUInt16BE(2) === 70) {
      this.stats.discoveries += 1;
      const reply = Buffer.alloc(74);
      reply.writeUInt16BE(2, 0);
      reply.writeUInt16BE(70, 2);
      reply.writeUInt32BE(msg.readUInt32BE(4), 4);
      reply.write(rinfo.address, 8, 'ascii');
      reply.writeUInt16BE(rinfo.port, 72);
      this.udp.send(reply, rinfo.port, rinfo.address);
      return;
    }
    if (msg.length < 12) return;
    const ssrc = msg.readUInt32BE(8);
    const s = [...this.sessions.values()].find((x) => x.ssrc === ssrc && x.key);
    const frame = s && openPacket(s.mode, s.key, msg);
    if (!frame) {
      this.stats.decryptFailures += 1;
      return;
    }
    if (s.dave) this.openDave(s, frame);
    this.received.push(frame);
    this.emit('audio', frame);
  }

  // The client's frame as the fake's DAVE members see it: every speaker
  // that has the sender in its group decrypts it (each holds its own
  // ratchets, as every receiving client does); one frame counts once.
  openDave(s, frame) {
    if (frame.opus.equals(SILENCE)) {
      frame.e2ee = 'silence';
      return;
    }
    let data = frame.opus;
    if (this.tamperInbound > 0) {
      this.tamperInbound -= 1;
      data = Buffer.from(data);
      data[0] ^= 0x01;
    }
    const listeners = [...this.speakers.values()].filter((sp) => sp.canDecrypt(s.user));
    if (listeners.length === 0) {
      frame.e2ee = 'unchecked';
      this.stats.daveUnchecked += 1;
      return;
    }
    let plain = null;
    let failedOutside = false;
    let failed = false;
    for (const sp of listeners) {
      const out = sp.decrypt(s.user, data);
      if (out) plain = plain ?? Buffer.from(out);
      else {
        failed = true;
        failedOutside ||= !sp.inTransition();
      }
    }
    if (failed && !(data.length >= 2 && data[data.length - 1] === 0xfa && data[data.length - 2] === 0xfa)) this.stats.daveUnencrypted += 1;
    if (failedOutside) this.stats.daveDecryptFailures += 1;
    else if (failed) this.stats.daveTransitionFailures += 1;
    if (plain) {
      this.stats.daveDecrypted += 1;
      frame.opus = plain;
      frame.e2ee = 'decrypted';
    } else frame.e2ee = 'failed';
  }

  // Someone else in the channel: they appear (clients connect), start
  // speaking on `ssrc`, and their Opus frames go to every connected client,
  // optionally reordered in pairs and with some lost. With DAVE they are a
  // fake DAVE member (joined through the gateway) from the first call on.
  announceUser(userId, ssrc) {
    if (!this.daveOn) {
      for (const s of this.sessions.values()) {
        this.send(s, 11, { user_ids: [userId] });
        this.send(s, 5, { user_id: userId, ssrc, speaking: 1 });
      }
      return;
    }
    if (!isSnowflake(userId)) throw new Error(`a DAVE speaker's user id must be a snowflake, not ${userId}`);
    let sp = this.speakers.get(userId);
    if (!sp) {
      sp = new DaveSpeaker({
        user: userId, ssrc, channelId: this.dave.channelId, gateway: this.dave, options: this.options.speakers,
        onEvent: (e) => this.emit('dave', e),
      });
      this.speakers.set(userId, sp);
      this.enter(sp);
    }
    sp.ssrc = ssrc;
    for (const s of this.sessions.values()) {
      if (s.ended) continue;
      s.knownSsrcs.add(ssrc);
      this.send(s, 5, { user_id: userId, ssrc, speaking: 1 });
    }
  }

  removeUser(userId) {
    const sp = this.speakers.get(userId);
    if (sp) {
      this.speakers.delete(userId);
      sp.leave();
      sp.ended = true;
    }
    for (const s of this.sessions.values()) if (!s.ended) this.send(s, 13, { user_id: userId });
    if (this.daveOn) for (const q of this.speakers.values()) q.sendJson(13, { user_id: userId });
  }

  async untilExecuted(sp) {
    const until = Date.now() + this.options.daveTransitionTimeoutMs + 1000;
    while (sp.pendingTransitions.size > 0 && Date.now() < until) await sleep(2);
  }

  // A fake speaker speaks once the group is quiet (or daveSettleMs has
  // passed: then it is reported, and it speaks as it can).
  async settle(sp) {
    const until = Date.now() + this.options.daveSettleMs;
    while (!(sp.ready && sp.pendingTransitions.size === 0 && this.dave.settled())) {
      if (Date.now() > until) {
        this.emit('dave', { event: 'dave_not_settled', user: sp.user, group: this.dave.snapshot() });
        return;
      }
      await sleep(10);
    }
  }

  // Paced: one packet per 20 ms, as a speaking client sends them. With
  // DAVE the speaker on `ssrc` encrypts each frame once, in capture order
  // (lost frames too), before the transport encryption of each client;
  // `tamper` lists frames whose DAVE ciphertext is then corrupted. While
  // the speaker holds a transition not yet executed its frames wait: the
  // whitepaper has senders switch keys at op 22, when every member has
  // the new epoch, but davey switches as soon as it processes the commit.
  async sendAudio(ssrc, frames, { swapPairs = false, lose = [], paced = false, tamper = [] } = {}) {
    const sp = this.daveOn ? [...this.speakers.values()].find((x) => x.ssrc === ssrc) : undefined;
    if (sp) await this.settle(sp);
    const targets = [...this.sessions.values()].filter((s) => s.key && s.remote && !s.ended);
    const bases = new Map(targets.map((s) => [s, s.userSeq ?? 100]));
    for (const s of targets) s.userSeq = bases.get(s) + frames.length;
    const order = frames.map((_, i) => i).filter((i) => !lose.includes(i));
    if (swapPairs) for (let i = 0; i + 1 < order.length; i += 2) [order[i], order[i + 1]] = [order[i + 1], order[i]];
    const sealed = [];
    const payload = (i) => {
      while (sealed.length <= i) {
        const at = sealed.length;
        let f = sp ? Buffer.from(sp.encrypt(frames[at])) : frames[at];
        if (tamper.includes(at)) {
          f = Buffer.from(f);
          f[0] ^= 0x01;
        }
        sealed.push(f);
      }
      return sealed[i];
    };
    for (const i of order) {
      if (sp && i >= sealed.length) await this.untilExecuted(sp);
      const opus = payload(i);
      for (const s of targets) {
        if (sp && !s.knownSsrcs.has(ssrc)) {
          s.knownSsrcs.add(ssrc);
          this.send(s, 5, { user_id: sp.user, ssrc, speaking: 1 });
        }
        const header = Buffer.alloc(12);
        header[0] = 0x80;
        header[1] = 0x78;
        header.writeUInt16BE((bases.get(s) + i) & 0xffff, 2);
        header.writeUInt32BE(((bases.get(s) + i) * 960) >>> 0, 4);
        header.writeUInt32BE(ssrc, 8);
        s.outNonce = (s.outNonce + 1) >>> 0;
        const packet = sealPacket(s.mode, s.key, header, opus, s.outNonce);
        this.udp.send(packet, s.remote.port, s.remote.address);
      }
      if (paced) await sleep(20);
    }
  }

  // What the DAVE side looks like now, for tests and the control channel.
  daveState() {
    if (!this.daveOn) return { mode: 'off' };
    return {
      mode: this.options.dave,
      ...this.dave.snapshot(),
      speakers: [...this.speakers.values()].map((sp) => sp.snapshot()),
      sessions: [...this.sessions.values()].map((s) => ({ session: s.id, user: s.user, in_group: !!s.inGroup })),
    };
  }

  // An abrupt drop (no close frame) or a close with a code.
  drop(code) {
    for (const ws of this.wss.clients) (code ? ws.close(code) : ws.terminate());
  }
}
