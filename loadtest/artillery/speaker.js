// One simulated speaker for artillery's ws engine; the protocol is
// docs/protocol.md. Counts and latencies are emitted as artillery metrics
// (parley.*) so the run's JSON report can be set beside parley-load's.
'use strict';
const fs = require('fs');

const packets = JSON.parse(fs.readFileSync(process.env.PARLEY_PACKETS, 'utf8'));
const speech = packets.speech.map((h) => Buffer.from(h, 'hex'));
const silence = packets.silence.map((h) => Buffer.from(h, 'hex'));  // repeated in turn
const seconds = Number(process.env.PARLEY_SECONDS || 20);
const thinkMs = Number(process.env.PARLEY_THINK_MS || 1000);
const turnTimeoutMs = 15000;
const frameMs = 20;

function speakTurns(context, ee, done) {
  const ws = context.ws;
  const end = Date.now() + seconds * 1000;
  let phase = 'greeting';
  let index = 0;
  let silenceIndex = 0;
  let lastSpeechAt = 0;
  let speechEndedAt = 0;
  let replyStarted = false;
  let firstFrameSeen = false;
  let nextTurnAt = 0;
  let next = Date.now();
  let finished = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(timer);
    done();
  };
  const endTurn = (outcome) => {
    ee.emit('counter', `parley.turns.${outcome}`, 1);
    phase = 'thinking';
    nextTurnAt = Date.now() + thinkMs;
  };

  ws.on('message', (data) => {
    const now = Date.now();
    if (typeof data !== 'string') {
      ee.emit('counter', 'parley.audio_frames_received', 1);
      if (phase === 'awaiting' && replyStarted && !firstFrameSeen) {
        firstFrameSeen = true;
        ee.emit('histogram', 'parley.turn_latency_ms', now - lastSpeechAt);
        if (speechEndedAt) ee.emit('histogram', 'parley.server_ms', now - speechEndedAt);
      }
      return;
    }
    ee.emit('counter', 'parley.events_received', 1);
    const e = JSON.parse(data);
    if (e.type === 'ready') {
      phase = 'thinking';
      nextTurnAt = now + Math.random() * thinkMs;
    } else if (e.type === 'error') {
      ee.emit('counter', `parley.errors.${e.code}`, 1);
    } else if (phase === 'awaiting' && e.type === 'speech_ended') {
      speechEndedAt = now;
    } else if (phase === 'awaiting' && e.type === 'audio_started') {
      replyStarted = true;
    } else if (phase === 'awaiting' && e.type === 'audio_ended') {
      endTurn(firstFrameSeen ? 'answered' : 'without_audio');
    }
  });
  ws.on('close', (code) => {
    if (Date.now() < end) ee.emit('counter', `parley.closed_early.${code}`, 1);
    finish();
  });

  // One packet per 20 ms on an absolute schedule, as a microphone would.
  const sendDue = () => {
    const now = Date.now();
    if (phase === 'thinking' && now >= end) return finish();
    if (phase === 'awaiting' && now - lastSpeechAt > turnTimeoutMs) endTurn('timed_out');
    if (phase === 'thinking' && now >= nextTurnAt) {
      phase = 'speaking';
      index = 0;
      replyStarted = firstFrameSeen = false;
      speechEndedAt = 0;
      ee.emit('counter', 'parley.turns.started', 1);
    }
    for (let n = 0; next <= now && n < 5; n += 1, next += frameMs) {
      if (phase === 'greeting') break;
      if (phase === 'speaking') {
        ws.send(speech[index++]);
        if (index === speech.length) {
          phase = 'awaiting';
          lastSpeechAt = Date.now();
        }
      } else {
        ws.send(silence[silenceIndex++ % silence.length]);
      }
      ee.emit('counter', 'parley.audio_frames_sent', 1);
    }
    if (next <= now) next = now + frameMs;
  };
  const timer = setInterval(sendDue, 5);
  ws.send(JSON.stringify({ type: 'hello', codec: 'opus', sample_rate: 48000, channels: 1, frame_ms: 20 }));
}

module.exports = { speakTurns };
