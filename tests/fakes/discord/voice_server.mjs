// A stand-in for one Discord voice server, from the published protocol
// (Discord's developer docs, "Voice Connections"): the voice gateway v8 over
// TLS (hello, identify, ready, select protocol, session description,
// heartbeats with seq_ack, resume that re-sends what the client missed,
// speaking, clients connect/disconnect) and the UDP side (IP discovery, RTP
// in both rtpsize transport encryption modes). Tests steer it: require DAVE
// (close 4017 as Discord does), drop connections, reorder and lose packets.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import https from 'node:https';
import { xchacha20poly1305 } from '@noble/ciphers/chacha';
import { WebSocketServer } from 'ws';

export const AES = 'aead_aes256_gcm_rtpsize';
export const XCHACHA = 'aead_xchacha20_poly1305_rtpsize';
const TAG = 16;

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

export class FakeVoiceServer extends EventEmitter {
  // options: tls {key, cert}; modes offered; requireDave; heartbeatInterval;
  // expect {server_id, user_id, session_id, token} (wrong ones close 4004).
  constructor(options) {
    super();
    this.options = { modes: [XCHACHA, AES], requireDave: false, heartbeatInterval: 13750, ...options };
    this.sessions = new Map(); // session_id -> { ssrc, mode, key, seq, sent[], acked, ws, remote }
    this.received = []; // { ssrc, sequence, opus } decrypted from the client
    this.stats = { decryptFailures: 0, discoveries: 0, identifies: 0, resumes: 0, heartbeats: 0 };
    this.lastSsrc = 1000;
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
      if (binary) return this.emit('binary', data);
      let m;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return ws.close(4002, 'failed to decode payload');
      }
      this.onMessage(conn, m);
    });
    ws.on('close', (code) => this.emit('closed', { session: conn.session, code }));
  }

  // Numbered messages are kept so a resume can re-send what was missed.
  send(s, op, d) {
    s.seq += 1;
    const text = JSON.stringify({ op, seq: s.seq, d });
    s.sent.push({ seq: s.seq, text });
    if (s.sent.length > 100) s.sent.shift();
    if (s.ws && s.ws.readyState === 1) s.ws.send(text);
  }

  onMessage(conn, m) {
    const d = m.d || {};
    switch (m.op) {
      case 0:
        return this.identify(conn, d);
      case 7:
        return this.resume(conn, d);
      case 3:
        this.stats.heartbeats += 1;
        if (conn.session && typeof d.seq_ack === 'number') conn.session.acked = d.seq_ack;
        this.emit('heartbeat', d);
        return conn.ws.send(JSON.stringify({ op: 6, d: { t: d.t } }));
      case 1:
        return this.selectProtocol(conn, d);
      case 5:
        if (conn.session) conn.session.speaking = d.speaking;
        return this.emit('speaking', d);
      default:
        // Discord's undocumented client ops are not ours to guess: refuse.
        return conn.ws.close(4001, 'unknown opcode');
    }
  }

  identify(conn, d) {
    if (conn.session) return conn.ws.close(4005, 'already authenticated');
    const e = this.options.expect || {};
    for (const k of ['server_id', 'user_id', 'session_id', 'token'])
      if (typeof d[k] !== 'string' || (e[k] && e[k] !== d[k])) return conn.ws.close(4004, 'authentication failed');
    this.stats.identifies += 1;
    if (this.options.requireDave && !(d.max_dave_protocol_version >= 1))
      return conn.ws.close(4017, 'E2EE/DAVE protocol required');
    const s = { id: d.session_id, user: d.user_id, ssrc: ++this.lastSsrc, seq: 0, sent: [], acked: -1, ws: conn.ws };
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
    s.ws = conn.ws;
    conn.session = s;
    s.acked = typeof d.seq_ack === 'number' ? d.seq_ack : -1;
    for (const m of s.sent) if (m.seq > s.acked) conn.ws.send(m.text);
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
    this.send(s, 4, { mode: s.mode, secret_key: [...s.key], dave_protocol_version: 0 });
    this.emit('ready', s);
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
    this.received.push(frame);
    this.emit('audio', frame);
  }

  // Someone else in the channel: they appear (clients connect), start
  // speaking on `ssrc`, and their Opus frames go to every connected client,
  // optionally reordered in pairs and with some lost.
  announceUser(userId, ssrc) {
    for (const s of this.sessions.values()) {
      this.send(s, 11, { user_ids: [userId] });
      this.send(s, 5, { user_id: userId, ssrc, speaking: 1 });
    }
  }

  removeUser(userId) {
    for (const s of this.sessions.values()) this.send(s, 13, { user_id: userId });
  }

  // Paced: one packet per 20 ms, as a speaking client sends them.
  async sendAudio(ssrc, frames, { swapPairs = false, lose = [], paced = false } = {}) {
    const sends = [];
    for (const s of this.sessions.values()) {
      if (!s.key || !s.remote) continue;
      const base = s.userSeq ?? 100;
      const packets = frames.map((opus, i) => {
        const header = Buffer.alloc(12);
        header[0] = 0x80;
        header[1] = 0x78;
        header.writeUInt16BE((base + i) & 0xffff, 2);
        header.writeUInt32BE((base + i) * 960, 4);
        header.writeUInt32BE(ssrc, 8);
        s.outNonce = (s.outNonce + 1) >>> 0;
        return { i, packet: sealPacket(s.mode, s.key, header, opus, s.outNonce) };
      });
      s.userSeq = base + frames.length;
      const order = packets.filter((p) => !lose.includes(p.i));
      if (swapPairs) for (let i = 0; i + 1 < order.length; i += 2) [order[i], order[i + 1]] = [order[i + 1], order[i]];
      for (const p of order) sends.push([p.packet, s.remote]);
    }
    for (const [packet, to] of sends) {
      this.udp.send(packet, to.port, to.address);
      if (paced) await new Promise((r) => setTimeout(r, 20));
    }
  }

  // An abrupt drop (no close frame) or a close with a code.
  drop(code) {
    for (const ws of this.wss.clients) (code ? ws.close(code) : ws.terminate());
  }
}
