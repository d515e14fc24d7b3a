// Certificate checks in the browser: what the page recomputes itself from a
// round's export (GET /api/v1/tables/{id}/rounds) before it shows "verified".
//
// The derivation mirrors internal/bft (signing.go, encoding.go,
// certificate.go) and internal/craps (dice.go) byte for byte:
//
//   encoding   integers big-endian (u8, u32, u64); keys and hashes as raw 32
//              bytes (JSON: 64 hex digits); str and bytes are u32 length ‖
//              content (JSON []byte is base64); lists are u32 count ‖ items.
//   tag        "bitcraps/bft/v1"
//   commitment SHA-256(str(tag+"/commitment") ‖ str(table) ‖ u64(round) ‖ key(player) ‖ hash(secret))
//   seed       SHA-256(str(tag+"/seed") ‖ str(table) ‖ u64(round) ‖ u32(n) ‖ n × (key(player) ‖ hash(secret)))
//              over the reveals in seat order, as the certificate lists them
//   dice       block i = SHA-256("bitcraps/dice/v1" ‖ seed ‖ u64(i)) (the tag
//              here is raw, without a length); read blocks 0, 1, ... byte by
//              byte, skip bytes >= 252, each other byte b is a die b%6+1; the
//              first two dice are the roll [d1, d2]
//   body hash  SHA-256(str(tag+"/body") ‖ str(table) ‖ u64(round) ‖ u8(kind) ‖
//              keys(seats) ‖ hash(prev_state_hash) ‖ u32(#bets) ‖ bets ‖
//              u32(#commitments) ‖ commitments ‖ keys(withholders)), where a
//              bet is key(bettor) ‖ u64(round) ‖ u64(seq) ‖ bytes(payload) ‖
//              bytes(sig) and a commitment key(player) ‖ u64(round) ‖
//              hash(hash) ‖ bytes(sig)
//   signed     str(tag) ‖ u8(kind) ‖ str(table) ‖ u64(round) ‖ u64(view) ‖
//              key(signer) ‖ fields; kinds and fields: bet 1 (view = seq)
//              bytes(payload); commitment 2 (view 0) hash(hash); reveal 5
//              (view 0) hash(secret); confirm 6 hash(body hash) ‖ hash(state)
//   quorum     q = n − ⌊(n−1)/3⌋ distinct seated confirms of (body hash,
//              state hash) in the certificate's view
//
// Signatures are Ed25519 (WebCrypto "Ed25519"). A browser without it gets
// "partial": every hash and the quorum checked, signatures not. The state
// hash itself can only be re-derived by replaying the game (bitcraps verify
// does that); the page checks that the round's state_hash is the certified
// one. The seats are taken from the certificate's own body: the page does
// not check that they follow from the previous round (bitcraps verify does).

const tag = "bitcraps/bft/v1";
const diceTag = "bitcraps/dice/v1";
const rejectFrom = 252;
const maxSeats = 64;
const signKind = { bet: 1, commitment: 2, reveal: 5, confirm: 6 };
const bodyRoll = 1;
const bodyVoid = 2;
const voteConfirm = 2;
const utf8 = new TextEncoder();

class Malformed extends Error {}

function hexBytes(hex, what) {
  if (typeof hex !== "string" || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new Malformed(`${what} is not 64 lowercase hex digits`);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function base64Bytes(b64, what) {
  if (b64 == null) return new Uint8Array(0);
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    throw new Malformed(`${what} is not base64`);
  }
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Encoder writes the canonical encoding of internal/bft/encoding.go.
export class Encoder {
  constructor() {
    this.parts = [];
  }
  raw(bytes) { this.parts.push(bytes); return this; }
  u8(v) { return this.raw(Uint8Array.of(v)); }
  u32(v) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v); return this.raw(b); }
  u64(v) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v)); return this.raw(b); }
  key(hex, what = "key") { return this.raw(hexBytes(hex, what)); }
  hash(hex, what = "hash") { return this.raw(hexBytes(hex, what)); }
  str(s) { const b = utf8.encode(s); return this.u32(b.length).raw(b); }
  bytes(b64, what = "bytes") { const b = base64Bytes(b64, what); return this.u32(b.length).raw(b); }
  keys(list, what = "keys") { this.u32((list ?? []).length); for (const k of list ?? []) this.key(k, what); return this; }
  done() {
    const n = this.parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(n);
    let off = 0;
    for (const p of this.parts) { out.set(p, off); off += p.length; }
    return out;
  }
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export async function commitmentOf(table, round, player, secret) {
  const e = new Encoder().str(tag + "/commitment").str(table).u64(round).key(player, "commitment player").hash(secret, "secret");
  return toHex(await sha256(e.done()));
}

export async function seedOf(table, round, reveals) {
  const e = new Encoder().str(tag + "/seed").str(table).u64(round).u32(reveals.length);
  for (const r of reveals) e.key(r.player, "reveal player").hash(r.secret, "reveal secret");
  return toHex(await sha256(e.done()));
}

export async function diceFromSeed(seedHex) {
  const seed = hexBytes(seedHex, "seed");
  const dice = [];
  for (let block = 0; dice.length < 2; block++) {
    const e = new Encoder().raw(utf8.encode(diceTag)).raw(seed).u64(block);
    for (const b of await sha256(e.done())) {
      if (b < rejectFrom) dice.push((b % 6) + 1);
      if (dice.length === 2) break;
    }
  }
  return dice;
}

function bodyKind(kind) {
  if (kind === "roll") return bodyRoll;
  if (kind === "void") return bodyVoid;
  return kind;
}

export async function bodyHash(table, round, body) {
  const e = new Encoder().str(tag + "/body").str(table).u64(round).u8(bodyKind(body.kind))
    .keys(body.seats, "seat").hash(body.prev_state_hash, "prev_state_hash");
  const bets = body.bets ?? [];
  e.u32(bets.length);
  for (const b of bets) e.key(b.bettor, "bettor").u64(b.round).u64(b.seq).bytes(b.payload, "bet payload").bytes(b.sig, "bet sig");
  const cs = body.commitments ?? [];
  e.u32(cs.length);
  for (const c of cs) e.key(c.player, "commitment player").u64(c.round).hash(c.hash, "commitment hash").bytes(c.sig, "commitment sig");
  e.keys(body.withholders, "withholder");
  return toHex(await sha256(e.done()));
}

export function quorum(n) {
  return n <= 0 ? 0 : n - Math.floor((n - 1) / 3);
}

function signedHeader(kind, table, round, view, signer) {
  return new Encoder().str(tag).u8(kind).str(table).u64(round).u64(view).key(signer, "signer");
}

// ed25519 returns a verify(signerHex, message, sigB64) function, or null when
// this browser's WebCrypto has no Ed25519.
async function ed25519() {
  const probe = new Uint8Array(32);
  try {
    await crypto.subtle.importKey("raw", probe, { name: "Ed25519" }, false, ["verify"]);
  } catch {
    return null;
  }
  return async (signer, message, sigB64) => {
    const sig = base64Bytes(sigB64, "signature");
    if (sig.length !== 64) return false;
    try {
      const key = await crypto.subtle.importKey("raw", hexBytes(signer, "signer"), { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, message);
    } catch {
      return false;
    }
  };
}

// Each check returns a detail string when it fails and "" when it passes.
function checkForm(tableId, row, cert) {
  const b = cert.body ?? {};
  const seats = b.seats ?? [];
  if (cert.table_id !== tableId) return `certificate is for table "${cert.table_id}", not "${tableId}"`;
  if (cert.round !== row.round) return `certificate is for round ${cert.round}, the export row says ${row.round}`;
  if (seats.length === 0 || seats.length > maxSeats) return `${seats.length} seats, want 1..${maxSeats}`;
  if (new Set(seats).size !== seats.length) return "a player is seated twice";
  const kind = bodyKind(b.kind);
  if (kind !== bodyRoll && kind !== bodyVoid) return `body kind ${b.kind} is neither roll nor void`;
  const seat = new Map(seats.map((k, i) => [k, i]));
  const cs = b.commitments ?? [];
  if (cs.length < quorum(seats.length)) return `${cs.length} commitments, quorum is ${quorum(seats.length)}`;
  let last = -1;
  for (const c of cs) {
    const idx = seat.get(c.player);
    if (idx === undefined) return `commitment by unseated ${c.player}`;
    if (idx <= last) return "commitments out of seat order";
    if (c.round !== cert.round) return `a commitment is for round ${c.round}`;
    last = idx;
  }
  let lastSeat = -1, lastSeq = -1;
  for (const bet of b.bets ?? []) {
    const idx = seat.get(bet.bettor);
    if (idx === undefined) return `bet by unseated ${bet.bettor}`;
    if (idx < lastSeat || (idx === lastSeat && bet.seq <= lastSeq)) return "bets out of order";
    if (bet.round !== cert.round) return `a bet is for round ${bet.round}`;
    lastSeat = idx; lastSeq = bet.seq;
  }
  const withholders = b.withholders ?? [];
  if (kind === bodyRoll && withholders.length) return "a roll names withholders";
  if (kind === bodyVoid && !withholders.length) return "a void round names no withholder";
  return "";
}

async function checkOpenings(cert) {
  const cs = cert.body.commitments ?? [];
  const rs = cert.reveals ?? [];
  if (rs.length !== cs.length) return `${rs.length} reveals for ${cs.length} commitments`;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i], c = cs[i];
    if (r.player !== c.player || r.round !== c.round) return `reveal ${i} does not answer commitment ${i}`;
    if (await commitmentOf(cert.table_id, r.round, r.player, r.secret) !== c.hash) {
      return `reveal by ${r.player.slice(0, 8)} does not open its commitment`;
    }
  }
  return "";
}

async function checkSeed(cert) {
  const seed = await seedOf(cert.table_id, cert.round, cert.reveals ?? []);
  return seed === cert.seed ? "" : `reveals hash to seed ${seed.slice(0, 16)}…, certificate says ${String(cert.seed).slice(0, 16)}…`;
}

async function checkDice(row, cert) {
  const dice = await diceFromSeed(cert.seed);
  const shown = row.dice ?? [];
  return dice[0] === shown[0] && dice[1] === shown[1] ? "" : `seed gives dice ${dice.join("-")}, the round shows ${shown.join("-")}`;
}

function checkQuorum(cert, body) {
  const seats = new Set(cert.body.seats);
  const seen = new Set();
  for (const v of cert.confirms ?? []) {
    if (v.kind !== voteConfirm && v.kind !== "confirm") return `a vote by ${v.voter?.slice(0, 8)} is not a confirm`;
    if (v.round !== cert.round || v.view !== cert.view) return `a confirm is for round ${v.round} view ${v.view}`;
    if (v.body !== body || v.state !== cert.state_hash) return `confirm by ${v.voter?.slice(0, 8)} signs another outcome`;
    if (!seats.has(v.voter)) return `confirm by unseated ${v.voter?.slice(0, 8)}`;
    if (seen.has(v.voter)) return `two confirms by ${v.voter.slice(0, 8)}`;
    seen.add(v.voter);
  }
  const q = quorum(seats.size);
  return seen.size >= q ? "" : `${seen.size} confirms, quorum is ${q}`;
}

async function checkSignatures(cert, verify) {
  const t = cert.table_id;
  const items = [];
  for (const b of cert.body.bets ?? []) {
    items.push(["bet", b.bettor, signedHeader(signKind.bet, t, b.round, b.seq, b.bettor).bytes(b.payload), b.sig]);
  }
  for (const c of cert.body.commitments ?? []) {
    items.push(["commitment", c.player, signedHeader(signKind.commitment, t, c.round, 0, c.player).hash(c.hash), c.sig]);
  }
  for (const r of cert.reveals ?? []) {
    items.push(["reveal", r.player, signedHeader(signKind.reveal, t, r.round, 0, r.player).hash(r.secret), r.sig]);
  }
  for (const v of cert.confirms ?? []) {
    items.push(["confirm", v.voter, signedHeader(signKind.confirm, t, v.round, v.view, v.voter).hash(v.body).hash(v.state), v.sig]);
  }
  for (const [what, signer, enc, sig] of items) {
    if (!(await verify(signer, enc.done(), sig))) return `${what} signature by ${signer.slice(0, 8)} does not verify`;
  }
  return "";
}

// verifyRound checks one row of the rounds export for table tableId. It never
// throws: it answers {status, checks} where status is "verified", "partial"
// (signatures not checkable in this browser), "failed" or "unavailable" (no
// WebCrypto: the page is not a secure context), and each check is
// {name, ok: true|false|null, detail}; ok null means not applicable or not
// checked.
export async function verifyRound(tableId, row) {
  const checks = [];
  const add = (name, detail, skipped) => checks.push({ name, ok: skipped ? null : detail === "", detail: skipped ? skipped : detail });
  if (!globalThis.crypto?.subtle) {
    add("crypto", "", "WebCrypto is unavailable: open the page over https or from 127.0.0.1");
    return { status: "unavailable", checks };
  }
  const cert = row?.certificate;
  if (!cert || typeof cert !== "object") {
    add("certificate", "the export has no certificate for this round");
    return { status: "failed", checks };
  }
  try {
    const form = checkForm(tableId, row, cert);
    add("form", form);
    if (form) return { status: "failed", checks };
    const isVoid = bodyKind(cert.body.kind) === bodyVoid;
    if (isVoid) {
      const ok = (cert.reveals ?? []).length === 0 && /^0{64}$/.test(cert.seed ?? "0".repeat(64));
      add("void round opens nothing", ok ? "" : "a void round carries reveals or a seed");
      add("dice", "", "void round: no dice");
    } else {
      add("reveals open the commitments", await checkOpenings(cert));
      add("seed is the hash of the reveals", await checkSeed(cert));
      add("dice come from the seed", await checkDice(row, cert));
    }
    const body = await bodyHash(cert.table_id, cert.round, cert.body);
    add("quorum of confirms", checkQuorum(cert, body));
    if (row.state_hash !== undefined) {
      add("state hash is the certified one", row.state_hash === cert.state_hash ? "" : "the round's state_hash differs from the certificate's");
    }
    const verify = await ed25519();
    if (verify) add("signatures (Ed25519)", await checkSignatures(cert, verify));
    else add("signatures (Ed25519)", "", "this browser has no Ed25519 in WebCrypto");
  } catch (err) {
    add("decode", err instanceof Malformed ? err.message : `unexpected: ${err.message}`);
  }
  const failed = checks.some((c) => c.ok === false);
  const unsigned = checks.some((c) => c.ok === null && c.name.startsWith("signatures"));
  return { status: failed ? "failed" : unsigned ? "partial" : "verified", checks };
}
