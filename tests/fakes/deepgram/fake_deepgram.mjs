// A stand-in for Deepgram's live transcription API (wss://HOST/v1/listen),
// built from its published message shapes, for tests that cannot reach the
// paid service. It prints one JSON line per event on stdout and takes one
// JSON command per line on stdin.
//
// Like Deepgram: the upgrade needs "Authorization: Token KEY" (401
// otherwise) and encoding=linear16 with a sample_rate (400 otherwise);
// binary messages are audio; interim Results ("is_final": false) come while
// audio arrives; after `endpointing` ms of silence following speech, a
// final result with "speech_final": true; {"type":"Finalize"} flushes the
// audio not yet finalized (a result with "from_finalize": true, when there
// is any); {"type":"CloseStream"} is answered with Metadata and a close;
// {"type":"KeepAlive"} keeps an idle stream open; 10 s without audio closes
// it with 1011 (NET-0001). The words it "hears" are set by the test: they
// come out one by one as speech (an energy check) goes on.
//
// Environment: FAKE_DEEPGRAM_KEY, FAKE_DEEPGRAM_CERT (TLS key and
// certificate), FAKE_DEEPGRAM_API_KEY (the key clients must present),
// FAKE_DEEPGRAM_IDLE_MS (default 10000).
// Commands:
//   {"cmd":"transcript","text":"go forward ten meters"}
//   {"cmd":"mode","mode":"normal"|"refuse"|"die"|"stall","after":N}
//       refuse: every upgrade gets 401; die: a stream is closed with 1011
//       after N audio messages (of 20 ms); stall: no final result ever
//       (interims go on)
// Events: listening {port}; refused {status, reason}; connected {query,
// authorization}; finalize {audio_bytes}; closestream {audio_bytes};
// closed {code, audio_bytes}; and "ok" after every command.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { randomUUID } from 'node:crypto';
import readline from 'node:readline';
import { WebSocketServer } from 'ws';

process.stdout.on('error', () => process.exit(0));
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const env = process.env;
const apiKey = env.FAKE_DEEPGRAM_API_KEY || '';
const idleMs = Number(env.FAKE_DEEPGRAM_IDLE_MS || 10000);
const settings = { words: ['hello'], mode: 'normal', after: 0 };

const RATE = 16000;
const FRAME = 160; // 10 ms of samples: the energy check's unit
const SPEECH_RMS = 300; // above this a frame counts as speech
const WORD_SECONDS = 0.3; // one more interim word per this much speech

function result(stream, fields) {
  const { from, to } = fields;
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: Number((to - from).toFixed(3)),
    start: Number(from.toFixed(3)),
    is_final: fields.is_final,
    speech_final: fields.speech_final,
    from_finalize: fields.from_finalize,
    channel: {
      alternatives: [{ transcript: fields.words.join(' '), confidence: 0.99, words: [] }],
    },
    metadata: {
      request_id: stream.requestId,
      model_info: { name: stream.model, version: 'fake', arch: 'fake' },
      model_uuid: randomUUID(),
    },
  };
}

class Stream {
  constructor(ws, query) {
    this.ws = ws;
    this.requestId = randomUUID();
    this.model = query.get('model') || 'base';
    this.endpointing = Number(query.get('endpointing') || 10);
    this.samples = 0; // audio received, in samples
    this.bytes = 0;
    this.messages = 0;
    this.finalAt = 0; // seconds: where the last final result ended
    this.finalized = 0; // words already in a final result
    this.revealed = 0; // words shown so far
    this.speech = 0; // samples of speech since the last final
    this.silence = 0; // samples of silence after the newest speech (integers: exact)
    this.carry = Buffer.alloc(0);
    this.idle = setTimeout(() => this.close(1011, 'NET-0001'), idleMs);
  }

  send(o) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(o));
  }

  close(code, reason) {
    clearTimeout(this.idle);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }

  keepAlive() {
    this.idle.refresh();
  }

  audio(data) {
    this.keepAlive();
    this.bytes += data.length;
    this.messages += 1;
    // Counted in 20 ms messages, as Parley sends them: audio held back while
    // the connection opened and sent in one go counts for what it holds.
    if (settings.mode === 'die' && Math.max(this.messages, this.bytes / 640) >= settings.after) {
      this.close(1011, 'fake: internal error');
      return;
    }
    let buf = Buffer.concat([this.carry, data]);
    while (buf.length >= FRAME * 2) {
      this.frame(buf.subarray(0, FRAME * 2));
      buf = buf.subarray(FRAME * 2);
    }
    this.carry = Buffer.from(buf);
  }

  frame(bytes) {
    let sum = 0;
    for (let i = 0; i < FRAME; i++) sum += bytes.readInt16LE(2 * i) ** 2;
    this.samples += FRAME;
    const now = this.samples / RATE;
    if (Math.sqrt(sum / FRAME) > SPEECH_RMS) {
      this.speech += FRAME;
      this.silence = 0;
      const due = Math.min(settings.words.length,
        Math.floor(this.speech / (WORD_SECONDS * RATE)) + 1);
      if (due > this.revealed) {
        this.revealed = due;
        this.interim(now);
      }
      return;
    }
    if (this.speech === 0) return;
    this.silence += FRAME;
    if (this.silence * 1000 >= this.endpointing * RATE) this.final(now, { speech_final: true });
  }

  interim(now) {
    const words = settings.words.slice(this.finalized, this.revealed);
    this.send(result(this, { from: this.finalAt, to: now, words, is_final: false,
      speech_final: false, from_finalize: false }));
  }

  // The utterance's words not yet in a final result, all of them: the test
  // decides what was said, not how long it took to say it.
  final(now, { speech_final = false, from_finalize = false }) {
    if (settings.mode === 'stall') return;
    const words = settings.words.slice(this.finalized);
    this.send(result(this, { from: this.finalAt, to: now, words, is_final: true, speech_final,
      from_finalize }));
    this.finalized = settings.words.length;
    this.revealed = this.finalized;
    this.finalAt = now;
    this.speech = 0;
    this.silence = 0;
  }

  control(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this.close(1008, 'DATA-0000: text messages must be JSON');
      return;
    }
    if (msg.type === 'KeepAlive') {
      this.keepAlive();
    } else if (msg.type === 'Finalize') {
      out({ event: 'finalize', audio_bytes: this.bytes });
      // Deepgram answers only when some audio was not finalized yet.
      if (this.samples / RATE > this.finalAt) this.final(this.samples / RATE, { from_finalize: true });
    } else if (msg.type === 'CloseStream') {
      out({ event: 'closestream', audio_bytes: this.bytes });
      if (this.samples / RATE > this.finalAt && this.speech > 0) this.final(this.samples / RATE, {});
      this.send({ type: 'Metadata', transaction_key: 'deprecated', request_id: this.requestId,
        sha256: 'fake', created: new Date().toISOString(), duration: this.samples / RATE,
        channels: 1 });
      this.close(1000, '');
    }
  }
}

function refuse(socket, status, reason) {
  out({ event: 'refused', status, reason });
  const body = JSON.stringify({ err_code: status === 401 ? 'INVALID_AUTH' : 'Bad Request',
    err_msg: reason, request_id: randomUUID() });
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Bad Request'}\r\n` +
    `Content-Type: application/json\r\ndg-error: ${reason}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const server = createServer({ key: readFileSync(env.FAKE_DEEPGRAM_KEY),
  cert: readFileSync(env.FAKE_DEEPGRAM_CERT) });
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'https://fake');
  const authorization = req.headers.authorization || '';
  if (url.pathname !== '/v1/listen') return refuse(socket, 404, 'no such path');
  if (settings.mode === 'refuse' || authorization !== `Token ${apiKey}`)
    return refuse(socket, 401, 'Invalid credentials.');
  if (url.searchParams.get('encoding') !== 'linear16' || !url.searchParams.get('sample_rate'))
    return refuse(socket, 400, 'encoding=linear16 needs a sample_rate');
  wss.handleUpgrade(req, socket, head, (ws) => {
    out({ event: 'connected', query: Object.fromEntries(url.searchParams), authorization });
    const stream = new Stream(ws, url.searchParams);
    ws.on('message', (data, binary) => (binary ? stream.audio(data) : stream.control(data.toString())));
    ws.on('close', (code) => {
      clearTimeout(stream.idle);
      out({ event: 'closed', code, audio_bytes: stream.bytes });
    });
  });
});

server.listen(0, '127.0.0.1', () => out({ event: 'listening', port: server.address().port }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  if (c.cmd === 'transcript') settings.words = c.text.split(/\s+/).filter((w) => w);
  if (c.cmd === 'mode') Object.assign(settings, { mode: c.mode, after: c.after || 0 });
  out({ event: 'ok', cmd: c.cmd });
}).on('close', () => process.exit(0));
