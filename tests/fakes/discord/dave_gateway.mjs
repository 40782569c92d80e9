// The voice gateway's half of DAVE (Discord's E2EE on MLS), from the DAVE
// whitepaper (discord/dave-protocol, "Group Key Exchange"): the gateway is
// the group's only external sender and its delivery service. Why the fake
// needs all of it: a client under test must see exactly the sequences a
// real gateway produces (external sender package, external Add/Remove
// proposals signed by the gateway, the winning commit announced to the
// members and a welcome cut to each joiner, transitions that execute when
// everyone is ready or after a timeout, sole-member resets, recovery after
// op 31), and the gateway is also where a broken client shows first: its
// key package, its commits, its readiness are all checked here and every
// refusal is reported with its reason rather than silently dropped.
//
// What it deliberately is not: an MLS member. It holds no group secrets,
// so it tracks only what the real gateway tracks (group id = the channel
// id as a big-endian u64, the epoch, each member's leaf index, the
// proposals it has sent in this epoch) and trusts members' MLS checks for
// the rest. Leaf indices follow RFC 9420: a Commit applies Removes (the
// leaf goes blank) before Adds, and each Add takes the leftmost blank leaf.
//
// Revocation (op 27 revoke) is used only where a replacement Add follows
// at once (a pending member's new key package). A pending member that
// leaves is by default added by the next commit and removed in the one
// after, because davey 0.1.12 (in @discordjs/voice) omits the Welcome from
// a commit it makes while handling a revoke, although that commit still
// adds the other pending members; the whitepaper allows either
// (`revoke: true` revokes on leave too, for clients that get this right).
//
// Participants are anything with { user, kind, sendJson(op, d),
// sendBinary(op, payload) }: WebSocket sessions of the voice server and the
// fake's in-process davey speakers go through the very same code.
import { EventEmitter } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import {
  WireError, vec, u8, u16, u64, pointFromPublicKey, externalSender, externalProposal, addProposal, removeProposal,
  readKeyPackage, keyPackageProblem, readCommitMessage, readWelcome, welcomeFor, SENDER_MEMBER,
} from './mls_wire.mjs';

export const OP = {
  PREPARE_TRANSITION: 21, EXECUTE_TRANSITION: 22, TRANSITION_READY: 23, PREPARE_EPOCH: 24,
  EXTERNAL_SENDER: 25, KEY_PACKAGE: 26, PROPOSALS: 27, COMMIT_WELCOME: 28,
  ANNOUNCE_COMMIT: 29, WELCOME: 30, INVALID_COMMIT_WELCOME: 31,
};
const PROTOCOL_VERSION = 1;

export class DaveGateway extends EventEmitter {
  // options: channelId (snowflake string); transitionTimeoutMs; revoke
  // (revoke a leaving pending member's Add instead of add-then-remove).
  constructor({ channelId, transitionTimeoutMs = 3000, revoke = false }) {
    super();
    this.channelId = channelId;
    this.revoke = revoke;
    this.groupId = u64(BigInt(channelId));
    this.transitionTimeoutMs = transitionTimeoutMs;
    // A fresh key per fake: nothing may depend on a known gateway key.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.signer = privateKey;
    this.signatureKey = pointFromPublicKey(publicKey);
    this.externalSenderPackage = externalSender(this.signatureKey, Buffer.from('discord-fake-voice-gateway'));
    this.records = new Map(); // participant -> { p, kp, leaf, removing, add }
    this.established = false;
    this.epoch = 0n;
    this.leaves = []; // leaf index -> record | null
    this.proposals = []; // sent this epoch, unrevoked: { ref, message, kind, rec, leaf, recipients:Set }
    this.intents = []; // proposals to make at the next flush: { kind, rec, leaf }
    this.transitions = new Map(); // id -> { id, epoch, members:Set, awaiting:Set, timer }
    this.nextTransition = 1;
    this.lastExecuted = null;
    this.sabotaged = []; // { what: 'commit' | 'welcome', user }
    this.stats = {
      keyPackages: 0, keyPackagesRefused: 0, proposalsSent: 0, revocations: 0, commitsAccepted: 0,
      commitsIgnored: 0, commitsRefused: 0, welcomesSent: 0, transitionsExecuted: 0, transitionTimeouts: 0,
      invalidCommitWelcome: 0, soleMemberResets: 0,
    };
  }

  report(event, fields = {}) {
    this.emit('dave', { event, ...fields });
  }

  connected() {
    return [...this.records.values()];
  }

  members() {
    return this.leaves.filter((r) => r && this.records.has(r.p));
  }

  // --- participants arrive, speak MLS, and leave ---

  join(p) {
    if (this.records.has(p)) return;
    this.records.set(p, { p, kp: null, leaf: null, removing: false, add: null });
    p.sendBinary(OP.EXTERNAL_SENDER, this.externalSenderPackage);
  }

  leave(p) {
    const rec = this.records.get(p);
    if (!rec) return;
    this.records.delete(p);
    this.intents = this.intents.filter((i) => i.rec !== rec || i.kind === 'remove');
    if (this.revoke) this.revokeAdd(rec);
    for (const t of this.transitions.values()) this.readyFrom(t, rec);
    const rest = this.connected();
    if (rest.length === 0) return this.reset(null);
    // Whitepaper "Sole member reset": nobody keeps control of a group alone.
    if (rest.length === 1 && this.established) return this.reset(rest[0]);
    // No member left to commit: those still waiting make a new group.
    if (this.established && this.members().length === 0) return this.regroup();
    if (rec.leaf !== null && !rec.removing) this.propose({ kind: 'remove', rec, leaf: rec.leaf });
  }

  onKeyPackage(p, payload) {
    const rec = this.records.get(p);
    if (!rec) return;
    this.stats.keyPackages += 1;
    let kp;
    try {
      kp = readKeyPackage(payload);
    } catch (e) {
      return this.refuseKeyPackage(p, `unreadable: ${e.message}`);
    }
    const problem = keyPackageProblem(kp, p.user);
    if (problem) return this.refuseKeyPackage(p, problem);
    // A newer key package replaces any earlier one; a member sending one
    // has reset, so its old leaf goes.
    this.revokeAdd(rec);
    this.intents = this.intents.filter((i) => !(i.rec === rec && i.kind === 'add'));
    if (rec.leaf !== null && !rec.removing) this.propose({ kind: 'remove', rec, leaf: rec.leaf });
    rec.kp = kp;
    this.report('dave_key_package', { user: p.user, kind: p.kind });
    this.propose({ kind: 'add', rec });
  }

  refuseKeyPackage(p, why) {
    this.stats.keyPackagesRefused += 1;
    this.report('dave_refused', { what: 'key_package', user: p.user, why });
  }

  // Op 31: the client could not process a commit or welcome; it resets and
  // will send a new key package. Its old leaf is removed meanwhile.
  onInvalid(p, transitionId) {
    const rec = this.records.get(p);
    if (!rec) return;
    this.stats.invalidCommitWelcome += 1;
    this.report('dave_invalid_commit_welcome', { user: p.user, transition_id: transitionId });
    for (const t of this.transitions.values()) this.readyFrom(t, rec);
    this.revokeAdd(rec);
    rec.kp = null;
    if (rec.leaf !== null && !rec.removing) this.propose({ kind: 'remove', rec, leaf: rec.leaf });
  }

  onReady(p, transitionId) {
    const rec = this.records.get(p);
    const t = this.transitions.get(transitionId);
    if (!rec || !t) return this.report('dave_unexpected_ready', { user: p.user, transition_id: transitionId });
    this.readyFrom(t, rec);
  }

  // --- proposals ---

  propose(intent) {
    if (intent.kind === 'remove') intent.rec.removing = true;
    this.intents.push(intent);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => {
        this.flushing = false;
        this.flush();
      });
    }
  }

  // Batched: whatever happened in one turn of the event loop goes out as
  // one op 27 per recipient, so a re-add is remove + add in one commit.
  flush() {
    const intents = this.intents;
    this.intents = [];
    const out = new Map(); // record -> [messages]
    const send = (rec, prop) => {
      prop.recipients.add(rec);
      if (!out.has(rec)) out.set(rec, []);
      out.get(rec).push(prop.message);
    };
    for (const i of intents) {
      if (i.kind === 'remove' && (!this.established || this.leaves[i.leaf] !== i.rec)) continue;
      if (i.kind === 'add' && (!this.records.has(i.rec.p) || !i.rec.kp)) continue;
      const body = i.kind === 'add' ? addProposal(i.rec.kp.bytes) : removeProposal(i.leaf);
      const { message, ref } = externalProposal(this.signer, this.groupId, this.epoch, body);
      const prop = { ref, message, kind: i.kind, rec: i.rec, leaf: i.leaf, recipients: new Set() };
      this.proposals.push(prop);
      if (i.kind === 'add') i.rec.add = prop;
      this.stats.proposalsSent += 1;
      this.report('dave_proposal', { kind: i.kind, user: i.rec.p.user, leaf: i.leaf ?? null, epoch: Number(this.epoch) });
      if (this.established) {
        for (const m of this.members()) if (!m.removing) send(m, prop);
      } else {
        // Initial group creation: every pending member gets every other
        // pending member's Add, including ones sent before it arrived.
        for (const r of this.connected()) if (r !== i.rec && r.kp) send(r, prop);
        if (i.kind === 'add')
          for (const other of this.proposals) if (other.rec !== i.rec && other.kind === 'add' && !other.recipients.has(i.rec)) send(i.rec, other);
      }
    }
    for (const [rec, messages] of out)
      rec.p.sendBinary(OP.PROPOSALS, Buffer.concat([u8(0), vec(Buffer.concat(messages))]));
  }

  revokeAdd(rec) {
    const prop = rec.add;
    rec.add = null;
    if (!prop || !this.proposals.includes(prop)) return;
    this.proposals = this.proposals.filter((x) => x !== prop);
    this.stats.revocations += 1;
    this.report('dave_revoke', { user: rec.p.user });
    for (const r of prop.recipients)
      if (this.records.has(r.p)) r.p.sendBinary(OP.PROPOSALS, Buffer.concat([u8(1), vec(vec(prop.ref))]));
  }

  // --- commits and transitions ---

  onCommitWelcome(p, payload) {
    const rec = this.records.get(p);
    if (!rec) return;
    let commit;
    let welcome = null;
    try {
      commit = readCommitMessage(payload);
      if (commit.end === null) return this.refuseCommit(p, 'inline proposals (DAVE allows only references)');
      if (commit.end < payload.length) welcome = readWelcome(payload.subarray(commit.end));
    } catch (e) {
      return this.refuseCommit(p, `unreadable: ${e instanceof WireError ? e.message : e}`);
    }
    if (!commit.groupId.equals(this.groupId)) return this.refuseCommit(p, 'commit for another group');
    if (commit.senderType !== SENDER_MEMBER) return this.refuseCommit(p, 'commit not from a member');
    // Losing a race, or answering proposals that were revoked since, is
    // normal: the gateway ignores such commits without a word to anyone.
    if (commit.epoch !== this.epoch) return this.ignoreCommit(p, `epoch ${commit.epoch}, group is at ${this.epoch}`);
    if (this.established) {
      if (rec.leaf === null || rec.removing) return this.ignoreCommit(p, 'committer is not a member');
      if (commit.sender !== rec.leaf) return this.refuseCommit(p, `sender leaf ${commit.sender}, member is at ${rec.leaf}`);
    } else {
      if (!rec.kp) return this.ignoreCommit(p, 'committer has sent no key package');
      if (commit.sender !== 0) return this.refuseCommit(p, `a new group's committer is leaf 0, not ${commit.sender}`);
    }
    const mine = this.proposals.filter((x) => x.recipients.has(rec));
    const refs = commit.refs.map((r) => r.toString('hex'));
    const expected = new Set(mine.map((x) => x.ref.toString('hex')));
    if (refs.length === 0) return this.refuseCommit(p, 'commit references no proposals');
    if (new Set(refs).size !== refs.length || refs.length !== expected.size || !refs.every((r) => expected.has(r)))
      return this.ignoreCommit(p, `references ${refs.length} proposals, not the ${expected.size} sent to it`);
    const key = rec.leaf === null ? rec.kp.leaf : rec.memberLeaf;
    const path = commit.pathLeaf;
    const sameKey = (x) => x.signatureKey.equals(key.signatureKey) && x.credential.type === 1 && x.credential.identity.equals(key.credential.identity);
    if (path && key && !sameKey(path)) return this.refuseCommit(p, "commit path changes the committer's credential or signature key");
    const ordered = commit.refs.map((r) => mine.find((x) => x.ref.equals(r)));
    const adds = ordered.filter((x) => x.kind === 'add');
    if (adds.length > 0 && !welcome) return this.refuseCommit(p, 'commit adds members without a welcome');
    if (adds.length === 0 && welcome) return this.refuseCommit(p, 'welcome without added members');
    const welcomes = new Map();
    for (const a of adds) {
      const w = welcomeFor(welcome, a.rec.kp.ref);
      if (!w) return this.refuseCommit(p, `welcome has no single entry for ${a.rec.p.user}'s key package`);
      welcomes.set(a.rec, w);
    }
    if (welcome && welcome.secrets.length !== adds.length) return this.refuseCommit(p, 'welcome has entries for no one added');
    this.accept(rec, commit, payload.subarray(0, commit.end), ordered, welcomes);
  }

  ignoreCommit(p, why) {
    this.stats.commitsIgnored += 1;
    this.report('dave_commit_ignored', { user: p.user, why });
  }

  refuseCommit(p, why) {
    this.stats.commitsRefused += 1;
    this.report('dave_refused', { what: 'commit', user: p.user, why });
  }

  accept(committer, commit, commitBytes, ordered, welcomes) {
    const id = this.nextTransition;
    this.nextTransition = id === 0xffff ? 1 : id + 1;
    // Existing members get the commit; in a new group that is only the
    // committer (every other pending member is welcomed instead).
    let existing;
    if (!this.established) {
      this.established = true;
      this.leaves = [committer];
      committer.leaf = 0;
      committer.memberLeaf = committer.kp.leaf;
      existing = [committer];
    } else {
      existing = this.members().filter((m) => !ordered.some((x) => x.kind === 'remove' && x.leaf === m.leaf));
    }
    for (const x of ordered.filter((y) => y.kind === 'remove')) {
      const gone = this.leaves[x.leaf];
      this.leaves[x.leaf] = null;
      if (gone) {
        gone.leaf = null;
        gone.removing = false;
      }
    }
    for (const x of ordered.filter((y) => y.kind === 'add')) {
      let at = this.leaves.indexOf(null);
      if (at < 0) at = this.leaves.length;
      this.leaves[at] = x.rec;
      x.rec.leaf = at;
      x.rec.memberLeaf = x.rec.kp.leaf;
      x.rec.add = null;
    }
    while (this.leaves.length > 0 && this.leaves[this.leaves.length - 1] === null) this.leaves.pop();
    // Added after they left: out again in the next epoch.
    for (const x of ordered) if (x.kind === 'add' && !this.records.has(x.rec.p)) this.propose({ kind: 'remove', rec: x.rec, leaf: x.rec.leaf });
    this.epoch = commit.epoch + 1n;
    this.proposals = [];
    for (const r of this.connected()) r.add = null;
    this.stats.commitsAccepted += 1;
    const t = { id, epoch: this.epoch, members: new Set(this.members()), awaiting: new Set(this.members()) };
    this.transitions.set(id, t);
    this.report('dave_commit', {
      user: committer.p.user, transition_id: id, epoch: Number(this.epoch),
      added: [...welcomes.keys()].map((r) => r.p.user), removed: ordered.filter((x) => x.kind === 'remove').map((x) => x.leaf),
    });
    for (const m of existing)
      if (this.records.has(m.p)) m.p.sendBinary(OP.ANNOUNCE_COMMIT, Buffer.concat([u16(id), this.spoil('commit', m, commitBytes)]));
    for (const [r, w] of welcomes) {
      if (!this.records.has(r.p)) continue;
      this.stats.welcomesSent += 1;
      r.p.sendBinary(OP.WELCOME, Buffer.concat([u16(id), this.spoil('welcome', r, w)]));
    }
    t.timer = setTimeout(() => {
      this.stats.transitionTimeouts += 1;
      this.report('dave_transition_timeout', { transition_id: id, waiting_for: [...t.awaiting].map((r) => r.p.user) });
      this.execute(t);
    }, this.transitionTimeoutMs);
    t.timer.unref?.();
  }

  // Test hook: the next op 29 commit (or op 30 welcome) to `user` arrives
  // with its last byte flipped (the commit's membership tag, the welcome's
  // AEAD tag), so that the client must answer op 31 and be re-added.
  sabotage(what, user) {
    this.sabotaged.push({ what, user });
  }

  spoil(what, rec, bytes) {
    const at = this.sabotaged.findIndex((x) => x.what === what && x.user === rec.p.user);
    if (at < 0) return bytes;
    this.sabotaged.splice(at, 1);
    this.report('dave_sabotaged', { what, user: rec.p.user });
    const copy = Buffer.from(bytes);
    copy[copy.length - 1] ^= 0x01;
    return copy;
  }

  readyFrom(t, rec) {
    if (!t.awaiting.delete(rec)) return;
    if (t.awaiting.size === 0) this.execute(t);
  }

  execute(t) {
    if (!this.transitions.delete(t.id)) return;
    clearTimeout(t.timer);
    this.stats.transitionsExecuted += 1;
    this.lastExecuted = { transition_id: t.id, epoch: Number(t.epoch) };
    this.report('dave_execute', { transition_id: t.id, epoch: Number(t.epoch), members: [...t.members].map((r) => r.p.user) });
    for (const r of t.members) if (this.records.has(r.p)) r.p.sendJson(OP.EXECUTE_TRANSITION, { transition_id: t.id });
  }

  // Back to no group: the sole remaining member (if any) is told to start
  // a new one (op 24 epoch 1, then op 21 transition 0) and will send a new
  // key package.
  reset(sole) {
    this.forget();
    for (const r of this.connected()) r.kp = null;
    if (!sole) return;
    this.stats.soleMemberResets += 1;
    this.report('dave_sole_member_reset', { user: sole.p.user });
    sole.p.sendJson(OP.PREPARE_EPOCH, { protocol_version: PROTOCOL_VERSION, epoch: 1 });
    sole.p.sendJson(OP.PREPARE_TRANSITION, { protocol_version: PROTOCOL_VERSION, transition_id: 0 });
  }

  // Pending participants whose group emptied keep their key packages
  // (none was used) and go through initial group creation among themselves.
  regroup() {
    this.forget();
    this.report('dave_regroup', { users: this.connected().map((r) => r.p.user) });
    for (const r of this.connected()) if (r.kp) this.propose({ kind: 'add', rec: r });
  }

  forget() {
    for (const t of this.transitions.values()) clearTimeout(t.timer);
    this.transitions.clear();
    this.established = false;
    this.epoch = 0n;
    this.leaves = [];
    this.proposals = [];
    this.intents = [];
    for (const r of this.connected()) Object.assign(r, { leaf: null, removing: false, add: null });
  }

  // Quiet: no proposals waiting for a commit, no transition waiting to be
  // executed, and everyone connected is in the group.
  settled() {
    return this.intents.length === 0 && this.proposals.length === 0 && this.transitions.size === 0
      && this.connected().every((r) => r.leaf !== null);
  }

  snapshot() {
    return {
      channel_id: this.channelId,
      external_sender_key: this.signatureKey.toString('hex'),
      established: this.established,
      epoch: Number(this.epoch),
      members: this.leaves.map((r, leaf) => r && { user: r.p.user, kind: r.p.kind, leaf }).filter(Boolean),
      pending: this.connected().filter((r) => r.leaf === null).map((r) => ({ user: r.p.user, kind: r.p.kind, key_package: !!r.kp })),
      transitions_in_flight: [...this.transitions.keys()],
      last_executed: this.lastExecuted,
      ...this.stats,
    };
  }
}
