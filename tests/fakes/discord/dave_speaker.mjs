// A simulated person in the voice channel who is a real DAVE member: each
// fake speaker owns a @snazzah/davey DAVESession (an independent MLS and
// DAVE implementation, on OpenMLS) and joins the group through the same
// gateway code and opcodes as a WebSocket client, only in-process. Why:
// the client under test must be welcomed by, and must welcome, an
// implementation that is not its own, must decrypt media encrypted by it
// and must encrypt media it can decrypt; a fake that merely pretended
// (plaintext, or frames made with the client's own code) would prove
// nothing. The speaker behaves like @discordjs/voice's DAVE wrapper: it
// commits whenever it holds proposals (unless told not to, so that the
// client under test gets to win the commit race), answers op 31 after a
// commit or welcome it cannot process, and resets on op 24 epoch 1.
//
// Decryption failures of the client's media are split in two: those while
// this speaker is between a commit/welcome and the execution of that
// transition (plus a grace for frames in flight) are expected by the
// protocol (a joiner cannot read the epoch before it joined); all others
// are the client's fault and are what tests assert to be zero.
import { createRequire } from 'node:module';
import { OP } from './dave_gateway.mjs';

const require = createRequire(import.meta.url);
const { DAVESession } = require('@snazzah/davey');

const MEDIA_AUDIO = 0;

export class DaveSpeaker {
  // options: commits (default true), commitDelayMs, graceMs (after an
  // executed transition, failures still count as the transition's).
  constructor({ user, ssrc, channelId, gateway, options = {}, onEvent = () => {} }) {
    this.user = user;
    this.kind = 'speaker';
    this.ssrc = ssrc;
    this.channelId = channelId;
    this.gateway = gateway;
    this.options = { commits: true, commitDelayMs: 0, graceMs: 500, ...options };
    this.onEvent = onEvent;
    this.inbox = [];
    this.recognized = new Set();
    this.pendingTransitions = new Set();
    this.lastExecutedAt = 0;
    this.left = false;
    this.stats = { encrypted: 0, unencryptedSent: 0, decrypted: 0, failures: 0, transitionFailures: 0, errors: 0 };
    this.session = new DAVESession(1, user, channelId);
  }

  join() {
    this.gateway.join(this);
    this.later(() => this.gateway.onKeyPackage(this, this.session.getSerializedKeyPackage()));
  }

  leave() {
    this.left = true;
    this.gateway.leave(this);
  }

  // What travels to the gateway leaves on a later turn, as over a socket.
  later(f) {
    setImmediate(() => {
      if (!this.left) f();
    });
  }

  // --- the participant interface the gateway talks to ---

  sendJson(op, d) {
    this.deliver({ op, d });
  }

  sendBinary(op, payload) {
    this.deliver({ op, payload: Buffer.from(payload) });
  }

  deliver(m) {
    this.inbox.push(m);
    if (this.inbox.length === 1) setImmediate(() => this.drain());
  }

  drain() {
    while (this.inbox.length > 0 && !this.left) {
      const m = this.inbox[0];
      try {
        this.handle(m);
      } catch (e) {
        this.stats.errors += 1;
        this.onEvent({ event: 'dave_speaker_error', user: this.user, op: m.op, why: String(e.message || e) });
      }
      this.inbox.shift();
    }
    this.inbox.length = 0;
  }

  handle({ op, d, payload }) {
    switch (op) {
      case 11:
        for (const u of d.user_ids) this.recognized.add(u);
        return;
      case 13:
        this.recognized.delete(d.user_id);
        return;
      case OP.EXTERNAL_SENDER:
        return this.session.setExternalSender(payload);
      case OP.PROPOSALS: {
        const { commit, welcome } = this.session.processProposals(payload[0], payload.subarray(1), [...this.recognized]);
        if (commit && this.options.commits) {
          const out = welcome ? Buffer.concat([commit, welcome]) : commit;
          setTimeout(() => !this.left && this.gateway.onCommitWelcome(this, out), this.options.commitDelayMs);
        }
        return;
      }
      case OP.ANNOUNCE_COMMIT:
        return this.transition(payload, () => this.session.processCommit(payload.subarray(2)));
      case OP.WELCOME:
        return this.transition(payload, () => this.session.processWelcome(payload.subarray(2)));
      case OP.EXECUTE_TRANSITION:
        this.pendingTransitions.delete(d.transition_id);
        this.lastExecutedAt = Date.now();
        this.onEvent({
          event: 'dave_speaker_transition', user: this.user, transition_id: d.transition_id, epoch: this.epoch(),
          privacy_code: this.session.voicePrivacyCode,
        });
        return;
      case OP.PREPARE_EPOCH:
        if (d.epoch === 1) this.reinit();
        return;
      case OP.PREPARE_TRANSITION:
        if (d.transition_id !== 0) this.later(() => this.gateway.onReady(this, d.transition_id));
        return;
      default:
        return;
    }
  }

  transition(payload, process) {
    const id = payload.readUInt16BE(0);
    try {
      process();
    } catch (e) {
      this.stats.errors += 1;
      this.onEvent({ event: 'dave_speaker_error', user: this.user, transition_id: id, why: String(e.message || e) });
      this.later(() => this.gateway.onInvalid(this, id));
      this.reinit();
      return;
    }
    this.pendingTransitions.add(id);
    this.later(() => this.gateway.onReady(this, id));
  }

  reinit() {
    this.session.reinit(1, this.user, this.channelId);
    this.pendingTransitions.clear();
    this.later(() => this.gateway.onKeyPackage(this, this.session.getSerializedKeyPackage()));
  }

  // --- media ---

  get ready() {
    return this.session.ready;
  }

  epoch() {
    const e = this.session.epoch;
    return e === null ? null : Number(e);
  }

  inTransition() {
    return this.pendingTransitions.size > 0 || Date.now() - this.lastExecutedAt < this.options.graceMs;
  }

  // Before transport encryption; a speaker not yet in a group sends Opus
  // as it is (as @discordjs/voice does), which a strict receiver refuses.
  encrypt(opus) {
    if (!this.session.ready) {
      this.stats.unencryptedSent += 1;
      return opus;
    }
    this.stats.encrypted += 1;
    return this.session.encryptOpus(opus);
  }

  canDecrypt(user) {
    return this.session.ready && this.session.getUserIds().includes(user);
  }

  // After transport decryption: the Opus frame, or null (counted).
  decrypt(user, frame) {
    try {
      const opus = this.session.decrypt(user, MEDIA_AUDIO, frame);
      this.stats.decrypted += 1;
      return opus;
    } catch (e) {
      if (this.inTransition()) this.stats.transitionFailures += 1;
      else this.stats.failures += 1;
      this.lastError = String(e.message || e);
      return null;
    }
  }

  snapshot() {
    return {
      user: this.user, ssrc: this.ssrc, ready: this.session.ready, epoch: this.epoch(),
      leaf: this.session.ownLeafIndex, privacy_code: this.session.voicePrivacyCode || null,
      group: this.session.getUserIds(), in_transition: this.inTransition(), ...this.stats,
    };
  }
}
