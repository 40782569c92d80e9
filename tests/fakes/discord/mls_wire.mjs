// The slice of MLS (RFC 9420) a DAVE voice gateway needs, written from the
// RFC and the DAVE whitepaper: the gateway is the group's external sender
// and its delivery service, so it must sign external Add/Remove proposals,
// read key packages (to check who they claim to be and that they are
// signed), read commits only far enough to find where they end, who sent
// them for which epoch and which proposals they reference, and cut a
// Welcome down to one joiner's entry. It never holds group secrets, so it
// cannot and does not check commit signatures or decrypt anything; the
// real MLS work is left to the clients (davey in the fake's speakers, and
// the client under test). Cipher suite 2 only: P-256 ECDSA over SHA-256
// with DER signatures, SHA-256 reference hashes.
import { createHash, createPublicKey, sign, verify } from 'node:crypto';

export class WireError extends Error {}

// TLS presentation language reader with MLS variable-length (varint)
// vectors; every read checks the bounds and throws WireError.
export class Reader {
  constructor(buf, at = 0, end = buf.length) {
    this.buf = buf;
    this.at = at;
    this.end = end;
  }

  need(n) {
    if (this.at + n > this.end) throw new WireError(`truncated: need ${n} bytes at ${this.at}`);
  }

  u8() {
    this.need(1);
    return this.buf[this.at++];
  }

  u16() {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  u32() {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  u64() {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.at);
    this.at += 8;
    return v;
  }

  // RFC 9420 2.1.2: 1, 2 or 4 bytes, the top two bits give the size; a
  // longer encoding than needed is an error.
  varint() {
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 3) throw new WireError('varint with prefix 0b11');
    let v = first & 0x3f;
    const more = prefix === 0 ? 0 : prefix === 1 ? 1 : 3;
    for (let i = 0; i < more; i++) v = v * 256 + this.u8();
    if ((prefix === 1 && v < 64) || (prefix === 2 && v < 16384)) throw new WireError('varint not minimal');
    return v;
  }

  bytes(n) {
    this.need(n);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  vec() {
    return this.bytes(this.varint());
  }

  // A vector of structs: its own reader over the vector's bytes.
  sub() {
    const n = this.varint();
    this.need(n);
    const r = new Reader(this.buf, this.at, this.at + n);
    this.at += n;
    return r;
  }

  done() {
    return this.at === this.end;
  }

  expectDone(what) {
    if (!this.done()) throw new WireError(`${this.end - this.at} trailing bytes after ${what}`);
  }
}

export function varint(n) {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n < 2 ** 30) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((0x80000000 | n) >>> 0);
    return b;
  }
  throw new WireError('vector too long');
}

export const vec = (b) => Buffer.concat([varint(b.length), b]);
export const u8 = (v) => Buffer.from([v]);
export const u16 = (v) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
export const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
export const u64 = (v) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return b;
};

export const WIRE_PUBLIC = 1;
export const WIRE_WELCOME = 3;
export const WIRE_KEY_PACKAGE = 5;
export const SENDER_MEMBER = 1;
export const SENDER_EXTERNAL = 2;
export const CONTENT_PROPOSAL = 2;
export const CONTENT_COMMIT = 3;
export const PROPOSAL_ADD = 1;
export const PROPOSAL_REMOVE = 3;
const SUITE = 2;
const CREDENTIAL_BASIC = 1;

// --- signatures and hashes of suite 2 ---

// SignWithLabel / VerifyWithLabel (RFC 9420 5.1.2).
function signContent(label, content) {
  return Buffer.concat([vec(Buffer.from(`MLS 1.0 ${label}`)), vec(content)]);
}

export function signWithLabel(privateKey, label, content) {
  return sign('sha256', signContent(label, content), { key: privateKey, dsaEncoding: 'der' });
}

// An MLS P-256 signature key is the uncompressed SEC1 point.
export function publicKeyFromPoint(point) {
  if (point.length !== 65 || point[0] !== 4) throw new WireError('signature key is not an uncompressed P-256 point');
  const b64 = (b) => b.toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)) }, format: 'jwk' });
}

export function pointFromPublicKey(key) {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

export function verifyWithLabel(point, label, content, signature) {
  try {
    return verify('sha256', signContent(label, content), { key: publicKeyFromPoint(point), dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

// RefHash (RFC 9420 5.2).
export function refHash(label, value) {
  return createHash('sha256').update(Buffer.concat([vec(Buffer.from(label)), vec(value)])).digest();
}

// --- structures ---

function readCredential(r) {
  const type = r.u16();
  if (type === CREDENTIAL_BASIC) return { type, identity: r.vec() };
  if (type === 2) {
    r.sub(); // x509: certificates<V>, each cert_data<V>; kept opaque
    return { type };
  }
  throw new WireError(`unknown credential type ${type}`);
}

function readCapabilities(r) {
  const list = (width) => {
    const s = r.sub();
    const out = [];
    while (!s.done()) out.push(width === 2 ? s.u16() : s.u8());
    return out;
  };
  return { versions: list(2), cipherSuites: list(2), extensions: list(2), proposals: list(2), credentials: list(2) };
}

// LeafNode (RFC 9420 7.2); `tbsEnd` is where LeafNodeTBS's fields stop
// (the signature follows).
export function readLeafNode(r) {
  const start = r.at;
  const leaf = { encryptionKey: r.vec(), signatureKey: r.vec(), credential: readCredential(r) };
  leaf.capabilities = readCapabilities(r);
  leaf.source = r.u8();
  if (leaf.source === 1) leaf.lifetime = { notBefore: r.u64(), notAfter: r.u64() };
  else if (leaf.source === 3) leaf.parentHash = r.vec();
  else if (leaf.source !== 2) throw new WireError(`unknown leaf node source ${leaf.source}`);
  r.sub(); // extensions
  leaf.tbsEnd = r.at;
  leaf.signature = r.vec();
  leaf.bytes = r.buf.subarray(start, r.at);
  leaf.tbs = r.buf.subarray(start, leaf.tbsEnd);
  return leaf;
}

// KeyPackage (RFC 9420 10); accepts it bare (as libdave and davey send it
// in op 26) or inside an MLSMessage (as the whitepaper's text says).
export function readKeyPackage(buf) {
  const r = new Reader(buf);
  if (buf.length >= 4 && buf.readUInt16BE(0) === 1 && buf.readUInt16BE(2) === WIRE_KEY_PACKAGE) r.at = 4;
  const start = r.at;
  const kp = { version: r.u16(), cipherSuite: r.u16(), initKey: r.vec() };
  kp.leaf = readLeafNode(r);
  r.sub(); // extensions
  kp.tbs = buf.subarray(start, r.at);
  kp.signature = r.vec();
  r.expectDone('key package');
  kp.bytes = buf.subarray(start, r.at);
  kp.ref = refHash('MLS 1.0 KeyPackage Reference', kp.bytes);
  return kp;
}

// What the gateway checks before proposing to add a key package
// (whitepaper "Key Packages / Validation", plus the RFC's own checks a
// joiner would do anyway). Returns the reason it is refused, or null.
export function keyPackageProblem(kp, userId) {
  if (kp.version !== 1) return `MLS version ${kp.version}, not 1`;
  if (kp.cipherSuite !== SUITE) return `cipher suite ${kp.cipherSuite}, not 2`;
  const { leaf } = kp;
  if (leaf.source !== 1) return 'leaf node source is not key_package';
  if (leaf.credential.type !== CREDENTIAL_BASIC) return 'credential is not basic';
  if (leaf.credential.identity.length !== 8) return `credential identity is ${leaf.credential.identity.length} bytes, not a 64-bit user id`;
  if (leaf.credential.identity.readBigUInt64BE(0) !== BigInt(userId)) return 'credential identity is not the identified user';
  if (leaf.lifetime.notBefore !== 0n || leaf.lifetime.notAfter !== 2n ** 64n - 1n) return 'lifetime is not 0..2^64-1';
  if (!leaf.capabilities.cipherSuites.includes(SUITE)) return 'capabilities lack cipher suite 2';
  if (kp.initKey.equals(leaf.encryptionKey)) return 'init key equals the leaf encryption key';
  if (!verifyWithLabel(leaf.signatureKey, 'LeafNodeTBS', leaf.tbs, leaf.signature)) return 'leaf node signature does not verify';
  if (!verifyWithLabel(leaf.signatureKey, 'KeyPackageTBS', kp.tbs, kp.signature)) return 'key package signature does not verify';
  return null;
}

// ExternalSender (RFC 9420 12.1.8.1), the body of op 25.
export function externalSender(signaturePoint, identity) {
  return Buffer.concat([vec(signaturePoint), u16(CREDENTIAL_BASIC), vec(identity)]);
}

// An external proposal as MLSMessage(PublicMessage) signed by the
// gateway, and its ProposalRef (RFC 9420 5.2: RefHash over
// AuthenticatedContent, which for an external sender is the PublicMessage
// with its wire format in front, i.e. the MLSMessage minus its version).
export function externalProposal(privateKey, groupId, epoch, proposal) {
  const content = Buffer.concat([
    vec(groupId), u64(epoch), u8(SENDER_EXTERNAL), u32(0), vec(Buffer.alloc(0)), u8(CONTENT_PROPOSAL), proposal,
  ]);
  const tbs = Buffer.concat([u16(1), u16(WIRE_PUBLIC), content]); // FramedContentTBS, no context for externals
  const signature = signWithLabel(privateKey, 'FramedContentTBS', tbs);
  const authenticated = Buffer.concat([u16(WIRE_PUBLIC), content, vec(signature)]);
  return { message: Buffer.concat([u16(1), authenticated]), ref: refHash('MLS 1.0 Proposal Reference', authenticated) };
}

export const addProposal = (keyPackageBytes) => Buffer.concat([u16(PROPOSAL_ADD), keyPackageBytes]);
export const removeProposal = (leaf) => Buffer.concat([u16(PROPOSAL_REMOVE), u32(leaf)]);

// An MLSMessage carrying a commit, read far enough to route it: group,
// epoch, sender, the proposals it references, and whether its path
// replaces the committer's leaf (and with what). `end` is where it stops:
// in op 28 a Welcome may follow with no length in front.
export function readCommitMessage(buf) {
  const r = new Reader(buf);
  const version = r.u16();
  if (version !== 1) throw new WireError(`MLSMessage version ${version}`);
  const wireFormat = r.u16();
  if (wireFormat !== WIRE_PUBLIC) throw new WireError(`commit wire format ${wireFormat}, DAVE requires PublicMessage`);
  const m = { groupId: r.vec(), epoch: r.u64() };
  m.senderType = r.u8();
  if (m.senderType === SENDER_MEMBER || m.senderType === SENDER_EXTERNAL) m.sender = r.u32();
  r.vec(); // authenticated_data
  const contentType = r.u8();
  if (contentType !== CONTENT_COMMIT) throw new WireError(`content type ${contentType}, not commit`);
  m.refs = [];
  m.inline = 0;
  const props = r.sub();
  while (!props.done()) {
    const kind = props.u8();
    if (kind === 2) m.refs.push(props.vec());
    else if (kind === 1) {
      m.inline += 1;
      // Inline proposals are refused by DAVE; stop here, their length
      // depends on types we do not read.
      return { ...m, end: null };
    } else throw new WireError(`unknown ProposalOrRef type ${kind}`);
  }
  const hasPath = r.u8();
  if (hasPath > 1) throw new WireError('bad optional<UpdatePath>');
  if (hasPath) {
    m.pathLeaf = readLeafNode(r);
    r.sub(); // nodes
  }
  r.vec(); // signature
  r.vec(); // confirmation_tag
  if (m.senderType === SENDER_MEMBER) r.vec(); // membership_tag
  m.end = r.at;
  return m;
}

// Welcome (RFC 9420 12.4.3.1), bare as DAVE carries it in ops 28 and 30.
export function readWelcome(buf) {
  const r = new Reader(buf);
  const w = { cipherSuite: r.u16(), secrets: [] };
  const s = r.sub();
  while (!s.done()) {
    const start = s.at;
    const newMember = s.vec();
    s.vec(); // kem_output
    s.vec(); // ciphertext
    w.secrets.push({ newMember, bytes: buf.subarray(start, s.at) });
  }
  w.encryptedGroupInfo = r.vec();
  r.expectDone('welcome');
  return w;
}

// The Welcome one joiner gets in op 30: only its own group secrets.
export function welcomeFor(w, keyPackageRef) {
  const mine = w.secrets.filter((x) => x.newMember.equals(keyPackageRef));
  if (mine.length !== 1) return null;
  return Buffer.concat([u16(w.cipherSuite), vec(mine[0].bytes), vec(w.encryptedGroupInfo)]);
}
