// A stand-in for Discord's gateway (v10, JSON, over TLS) and the REST
// routes Parley uses, from the published docs: hello, identify (token,
// shard), READY with resume_gateway_url, GUILD_CREATE with voice states,
// heartbeats, resume that re-sends what the client missed, op 4 answered
// with VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE (pointing at a
// FakeVoiceServer), INTERACTION_CREATE for slash commands; REST: command
// registration (optionally refused once with 429 first), interaction
// callbacks, /gateway/bot. Tests steer it: users move between voice
// channels, type commands, connections drop, op 7 and op 9 arrive. With
// DAVE the voice server must know the channel the bot joins (the channel id
// is the MLS group id), so voice state updates tell it.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import https from 'node:https';
import { WebSocketServer } from 'ws';

const id = () => String(BigInt(`0x${randomBytes(7).toString('hex')}`));

export class FakeGateway extends EventEmitter {
  // options: tls {key, cert}; token; voice (a started FakeVoiceServer);
  // guild, botId; rateLimitFirst (the first registration gets a 429).
  constructor(options) {
    super();
    this.options = { guild: '100', botId: '900', heartbeatInterval: 41250, ...options };
    this.sessions = new Map(); // session_id -> { seq, events: [{s, text}], ws }
    this.voiceStates = new Map(); // user -> channel, in options.guild
    this.interactions = new Map(); // id -> { token, replies: [] }
    this.commands = null;
    this.registrations = 0;
    this.identifies = 0;
    this.resumes = 0;
    this.botVoice = { channel: null, sessionId: null };
    this.opsFromBot = [];
  }

  async start() {
    this.https = https.createServer(this.options.tls, (req, res) => this.rest(req, res));
    this.wss = new WebSocketServer({ server: this.https });
    this.wss.on('connection', (ws, req) => this.accept(ws, req));
    await new Promise((r) => this.https.listen(0, '127.0.0.1', r));
    this.base = `127.0.0.1:${this.https.address().port}`;
    this.gatewayUrl = `wss://${this.base}`;
    this.apiUrl = `https://${this.base}/api/v10`;
    return this;
  }

  async stop() {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise((r) => this.wss.close(r));
    await new Promise((r) => this.https.close(r));
  }

  // --- gateway ---
  accept(ws, req) {
    const q = new URL(req.url, 'https://x').searchParams;
    if (q.get('v') !== '10' || q.get('encoding') !== 'json') return ws.close(4012, 'Invalid API version');
    const conn = { ws, session: null };
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.options.heartbeatInterval }, s: null, t: null }));
    ws.on('message', (data) => {
      let m;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return ws.close(4002, 'Decode error');
      }
      this.onMessage(conn, m);
    });
    ws.on('close', (code) => this.emit('gateway_closed', { code }));
  }

  dispatch(s, t, d) {
    s.seq += 1;
    const text = JSON.stringify({ op: 0, s: s.seq, t, d });
    s.events.push({ s: s.seq, text });
    if (s.ws && s.ws.readyState === 1) s.ws.send(text);
  }

  broadcast(t, d) {
    for (const s of this.sessions.values()) this.dispatch(s, t, d);
  }

  onMessage(conn, m) {
    const d = m.d;
    switch (m.op) {
      case 1:
        return conn.ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      case 2:
        return this.identify(conn, d || {});
      case 6:
        return this.resume(conn, d || {});
      case 4:
        return this.voiceStateUpdate(conn, d || {});
      default:
        return conn.ws.close(4001, 'Unknown opcode');
    }
  }

  identify(conn, d) {
    if (conn.session) return conn.ws.close(4005, 'Already authenticated');
    if (d.token !== this.options.token) return conn.ws.close(4004, 'Authentication failed');
    const shard = d.shard || [0, 1];
    if (!Array.isArray(shard) || shard.length !== 2 || !(shard[0] >= 0 && shard[0] < shard[1]))
      return conn.ws.close(4010, 'Invalid shard');
    if (((d.intents ?? 0) & 129) !== 129) this.emit('warning', 'identify without GUILDS and GUILD_VOICE_STATES');
    this.identifies += 1;
    const s = { id: randomBytes(16).toString('hex'), seq: 0, events: [], ws: conn.ws, shard };
    this.sessions.set(s.id, s);
    conn.session = s;
    this.emit('identify', { intents: d.intents, shard });
    this.dispatch(s, 'READY', {
      v: 10, user: { id: this.options.botId, username: 'parley', bot: true },
      guilds: [{ id: this.options.guild, unavailable: true }],
      session_id: s.id, resume_gateway_url: this.gatewayUrl, shard,
    });
    const voice_states = [...this.voiceStates].map(([user_id, channel_id]) => ({ user_id, channel_id, session_id: `vs-${user_id}` }));
    this.dispatch(s, 'GUILD_CREATE', { id: this.options.guild, name: 'Test guild', voice_states });
  }

  resume(conn, d) {
    const s = this.sessions.get(d.session_id);
    if (!s || d.token !== this.options.token) return conn.ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
    this.resumes += 1;
    s.ws = conn.ws;
    conn.session = s;
    for (const e of s.events) if (e.s > d.seq) conn.ws.send(e.text);
    this.dispatch(s, 'RESUMED', {});
    this.emit('resumed', { seq: d.seq });
  }

  voiceStateUpdate(conn, d) {
    if (!conn.session) return conn.ws.close(4003, 'Not authenticated');
    this.opsFromBot.push({ op: 4, d });
    this.emit('voice_state_update', d);
    const guild = d.guild_id;
    const channel = d.channel_id ?? null;
    this.botVoice.channel = channel;
    if (channel) {
      this.botVoice.sessionId = this.botVoice.sessionId || randomBytes(16).toString('hex');
      this.botVoice.token = randomBytes(8).toString('hex');
      this.voiceStates.set(this.options.botId, channel);
      // The voice server's DAVE group is the channel (its id is the MLS group id).
      this.options.voice.options.channelId = channel;
      this.options.voice.options.expect = {
        server_id: guild, user_id: this.options.botId, session_id: this.botVoice.sessionId, token: this.botVoice.token,
      };
    } else {
      this.voiceStates.delete(this.options.botId);
    }
    this.broadcast('VOICE_STATE_UPDATE', {
      guild_id: guild, channel_id: channel, user_id: this.options.botId, session_id: this.botVoice.sessionId,
      self_mute: false, self_deaf: false,
    });
    if (channel) this.broadcast('VOICE_SERVER_UPDATE', { token: this.botVoice.token, guild_id: guild, endpoint: this.options.voice.endpoint });
  }

  // --- what tests make happen ---
  userVoice(user, channel) {
    if (channel) this.voiceStates.set(user, channel);
    else this.voiceStates.delete(user);
    this.broadcast('VOICE_STATE_UPDATE', { guild_id: this.options.guild, channel_id: channel, user_id: user, session_id: `vs-${user}` });
  }

  // A user types /voice <sub>; resolves with the interaction response.
  command(user, sub, { channel = '500', appPermissions = String((1 << 10) | (1 << 20) | (1 << 21)) } = {}) {
    const i = { id: id(), token: randomBytes(24).toString('hex') };
    const reply = new Promise((resolve) => this.interactions.set(i.id, { token: i.token, resolve }));
    this.broadcast('INTERACTION_CREATE', {
      id: i.id, application_id: '777', type: 2, token: i.token, version: 1,
      guild_id: this.options.guild, channel_id: channel, app_permissions: appPermissions,
      member: { user: { id: user, username: user }, permissions: '0' },
      data: { id: '1', name: 'voice', type: 1, options: [{ name: sub, type: 1 }] },
    });
    return reply;
  }

  // Discord moves the guild's voice to another server (a region move).
  moveVoiceServer(voice) {
    this.options.voice = voice;
    if (this.botVoice.channel) voice.options.channelId = this.botVoice.channel;
    this.botVoice.token = randomBytes(8).toString('hex');
    voice.options.expect = {
      server_id: this.options.guild, user_id: this.options.botId, session_id: this.botVoice.sessionId, token: this.botVoice.token,
    };
    this.broadcast('VOICE_SERVER_UPDATE', { token: this.botVoice.token, guild_id: this.options.guild, endpoint: voice.endpoint });
  }

  drop(code) {
    for (const ws of this.wss.clients) (code ? ws.close(code) : ws.terminate());
  }

  send(op, d) {
    for (const ws of this.wss.clients) ws.send(JSON.stringify({ op, d, s: null, t: null }));
  }

  // --- REST ---
  rest(req, res) {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const reply = (status, obj, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(obj === undefined ? '' : JSON.stringify(obj));
      };
      if (req.headers.authorization !== `Bot ${this.options.token}` && !req.url.startsWith('/api/v10/interactions/'))
        return reply(401, { message: '401: Unauthorized', code: 0 });
      const path = req.url.replace(/^\/api\/v10/, '');
      let m;
      if (req.method === 'PUT' && (m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
        this.registrations += 1;
        if (this.options.rateLimitFirst && this.registrations === 1)
          return reply(429, { message: 'You are being rate limited.', retry_after: 0.3, global: false }, { 'retry-after': '1' });
        let commands;
        try {
          commands = JSON.parse(body);
        } catch {
          return reply(400, { message: 'Invalid JSON', code: 50109 });
        }
        this.commands = { application: m[1], guild: m[2] || null, commands };
        this.emit('commands', this.commands);
        return reply(200, commands.map((c) => ({ ...c, id: id(), application_id: m[1] })));
      }
      if (req.method === 'POST' && (m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
        const i = this.interactions.get(m[1]);
        if (!i || i.token !== m[2]) return reply(404, { message: 'Unknown interaction', code: 10062 });
        this.interactions.delete(m[1]);
        i.resolve(JSON.parse(body));
        return reply(204);
      }
      if (req.method === 'GET' && path === '/gateway/bot')
        return reply(200, { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } });
      return reply(404, { message: '404: Not Found', code: 0 });
    });
  }
}
