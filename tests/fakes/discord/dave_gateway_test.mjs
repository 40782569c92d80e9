// The fake gateway's DAVE checks, in-process with davey sessions standing
// in for clients: what a well-behaved third-party client (the reference
// client test) never does, but a client under development will, must be
// refused or ignored with a reason, never accepted: key packages for
// someone else or with a broken signature, commits from non-members, for
// another group, missing a proposal, or with inline proposals. Also: a
// pending member's replaced key package is revoked (and, with `revoke`,
// a pending member that leaves), pending members whose group emptied make
// a new one, and leaf indices (leftmost blank leaf) agree with davey's
// after removals in the middle.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { DaveGateway, OP } from './dave_gateway.mjs';
import { u8, u16, u32, u64, vec, readCommitMessage } from './mls_wire.mjs';

const require = createRequire(import.meta.url);
const { DAVESession } = require('@snazzah/davey');
const CHANNEL = '1000000000000000500';
const tick = () => new Promise((r) => setTimeout(r, 5));
const users = ['1', '2', '3', '4', '5', '9'];

// A client driven by hand: it records what the gateway sends and answers
// with its davey session only when the test says so.
class Client {
  constructor(gw, user, channel = CHANNEL) {
    Object.assign(this, { gw, user, kind: 'socket', inbox: [], recognized: new Set() });
    this.session = new DAVESession(1, user, channel);
  }
  sendJson(op, d) {
    this.inbox.push({ op, d });
  }
  sendBinary(op, payload) {
    this.inbox.push({ op, payload: Buffer.from(payload) });
  }
  take(op) {
    const i = this.inbox.findIndex((m) => m.op === op);
    return i < 0 ? null : this.inbox.splice(i, 1)[0];
  }
  join() {
    this.gw.join(this);
    this.session.setExternalSender(this.take(OP.EXTERNAL_SENDER).payload);
    this.gw.onKeyPackage(this, this.session.getSerializedKeyPackage());
  }
  // Process every op 27 that arrived (all users recognised); the last
  // commit+welcome made, or null.
  proposals() {
    let out = null;
    for (let m = this.take(OP.PROPOSALS); m; m = this.take(OP.PROPOSALS)) {
      const r = this.session.processProposals(m.payload[0], m.payload.subarray(1), users);
      out = r.commit ? Buffer.concat([r.commit, ...(r.welcome ? [r.welcome] : [])]) : null;
    }
    return out;
  }
  // Apply whatever commit or welcome arrived, say ready.
  settle() {
    const c = this.take(OP.ANNOUNCE_COMMIT);
    const w = this.take(OP.WELCOME);
    const m = c || w;
    if (!m) return;
    if (c) this.session.processCommit(c.payload.subarray(2));
    else this.session.processWelcome(w.payload.subarray(2));
    this.gw.onReady(this, m.payload.readUInt16BE(0));
  }
}

const gw = new DaveGateway({ channelId: CHANNEL });
const events = [];
gw.on('dave', (e) => events.push(e));
const last = (name) => events.filter((e) => e.event === name).at(-1);
const roster = () => gw.snapshot().members.map((m) => [m.user, m.leaf]);

// One commit round: everyone takes its proposals, `committer`'s commit
// goes to the gateway, everyone applies the commit or welcome.
function round(committer, everyone) {
  const made = new Map(everyone.map((x) => [x, x.proposals()]));
  gw.onCommitWelcome(committer, made.get(committer));
  for (const x of everyone) x.settle();
}

// Key packages: someone else's identity, a broken signature, garbage.
const a = new Client(gw, '1');
gw.join(a);
a.session.setExternalSender(a.take(OP.EXTERNAL_SENDER).payload);
gw.onKeyPackage(a, new DAVESession(1, '9', CHANNEL).getSerializedKeyPackage());
assert.match(last('dave_refused').why, /not the identified user/);
const kp = Buffer.from(a.session.getSerializedKeyPackage());
kp[kp.length - 3] ^= 1;
gw.onKeyPackage(a, kp);
assert.match(last('dave_refused').why, /signature does not verify/);
gw.onKeyPackage(a, Buffer.from([0, 1, 0, 2, 0x40]));
assert.match(last('dave_refused').why, /unreadable/);
gw.onKeyPackage(a, a.session.getSerializedKeyPackage());
assert.equal(gw.stats.keyPackagesRefused, 3);

// Two pending members each get the other's Add and commit; the first
// commit makes the group, the other is ignored.
const b = new Client(gw, '2');
b.join();
await tick();
const fromA = a.proposals();
gw.onCommitWelcome(b, b.proposals());
gw.onCommitWelcome(a, fromA);
assert.match(last('dave_commit_ignored').why, /epoch 0, group is at 1/);
a.settle();
b.settle();
assert.deepEqual(gw.snapshot().last_executed, { transition_id: 1, epoch: 1 });
assert.deepEqual(roster(), [['2', 0], ['1', 1]]);

// A third joins; commits that must be refused or ignored first.
const c = new Client(gw, '3');
c.join();
await tick();
const good = a.proposals();
b.proposals();
const { end } = readCommitMessage(good);
gw.onCommitWelcome(c, good);
assert.match(last('dave_commit_ignored').why, /not a member/);
const foreign = Buffer.from(good);
foreign[5] ^= 1; // the group id, after version, wire format and its length
gw.onCommitWelcome(a, foreign);
assert.match(last('dave_refused').why, /another group/);
gw.onCommitWelcome(b, good);
assert.match(last('dave_refused').why, /sender leaf 1, member is at 0/);
gw.onCommitWelcome(a, good.subarray(0, end));
assert.match(last('dave_refused').why, /adds members without a welcome/);
gw.onCommitWelcome(a, Buffer.concat([good, u8(0)]));
assert.match(last('dave_refused').why, /unreadable/);
const removeInline = Buffer.concat([u8(1), u16(3), u32(0)]); // ProposalOrRef: proposal, Remove leaf 0
const inline = Buffer.concat([u16(1), u16(1), vec(u64(CHANNEL)), u64(1), u8(1), u32(1), vec(Buffer.alloc(0)), u8(3), vec(removeInline)]);
gw.onCommitWelcome(a, inline);
assert.match(last('dave_refused').why, /inline proposals/);
assert.equal(gw.stats.commitsAccepted, 1, 'none of those accepted');
gw.onCommitWelcome(a, good);
for (const x of [a, b, c]) x.settle();
assert.equal(gw.snapshot().epoch, 2);

// A commit missing a proposal sent since is ignored (it lost a race).
const d = new Client(gw, '4');
d.join();
await tick();
const early = b.proposals();
const e = new Client(gw, '5');
e.join();
await tick();
gw.onCommitWelcome(b, early);
assert.match(last('dave_commit_ignored').why, /references 1 proposals, not the 2 sent to it/);
// A pending member's new key package: its Add is revoked and replaced.
e.session.reinit(1, '5', CHANNEL);
gw.onKeyPackage(e, e.session.getSerializedKeyPackage());
await tick();
assert.equal(last('dave_revoke').user, '5');
round(b, [a, b, c, d, e]);
assert.deepEqual(last('dave_commit').added, ['4', '5']);
assert.deepEqual(roster(), [['2', 0], ['1', 1], ['3', 2], ['4', 3], ['5', 4]]);
// A pending member that leaves is added, then removed.
const g = new Client(gw, '9');
g.join();
await tick();
gw.leave(g);
round(a, [a, b, c, d, e]);
assert.deepEqual(last('dave_commit').added, ['9']);
await tick();
round(a, [a, b, c, d, e]);
assert.deepEqual(last('dave_commit').removed, [5]);
gw.leave(e);
await tick();
round(c, [a, b, c, d]);
assert.deepEqual(roster(), [['2', 0], ['1', 1], ['3', 2], ['4', 3]]);

// Removals in the middle leave blanks; the next add takes the leftmost.
gw.leave(a);
gw.leave(c);
await tick();
round(d, [b, d]);
assert.deepEqual(roster(), [['2', 0], ['4', 3]]);
const f = new Client(gw, '1');
f.join();
await tick();
round(d, [b, d, f]);
assert.deepEqual(roster(), [['2', 0], ['1', 1], ['4', 3]]);
for (const x of [b, d, f]) assert.equal(x.session.ownLeafIndex, Object.fromEntries(roster())[x.user], `${x.user}'s own leaf index`);
assert.equal(gw.stats.commitsRefused, 5);
assert.equal(gw.stats.revocations, 1);

// With `revoke`, a pending member that leaves has its Add revoked.
const gw2 = new DaveGateway({ channelId: CHANNEL, revoke: true });
const [p, q, r] = ['1', '2', '3'].map((u) => new Client(gw2, u));
p.join();
q.join();
await tick();
gw2.onCommitWelcome(p, p.proposals());
q.proposals();
p.settle();
q.settle();
r.join();
await tick();
gw2.leave(r);
for (const x of [p, q]) {
  const ops = x.inbox.filter((m) => m.op === OP.PROPOSALS).map((m) => m.payload[0]);
  assert.deepEqual(ops, [0, 1], 'append, then revoke');
  x.proposals();
}

// When every member has left, those still pending make a new group.
const [s4, s5] = ['4', '5'].map((u) => new Client(gw2, u));
s4.join();
s5.join();
await tick();
gw2.leave(p);
gw2.leave(q);
assert.equal(gw2.snapshot().established, false);
await tick();
gw2.onCommitWelcome(s5, s5.proposals());
s4.proposals();
s4.settle();
s5.settle();
assert.deepEqual(gw2.snapshot().members.map((m) => [m.user, m.leaf]), [['5', 0], ['4', 1]]);
const { keyPackagesRefused, commitsRefused, commitsIgnored } = gw.stats;
console.log(`ok the fake gateway refuses what it must (${keyPackagesRefused} key packages, ${commitsRefused} commits refused, `
  + `${commitsIgnored} ignored), revokes when told to, regroups, and its leaf indices agree with davey's`);
process.exit(0);
