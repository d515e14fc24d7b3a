// The certificate of one round: what happened in words (the bets, decoded
// from the certificate, and their outcomes), the checks the browser
// recomputed, the raw JSON, and a file to hand to `bitcraps verify`.

import { verifyRound } from "./verify.js";
import { el, short, betName } from "./ui.js";
import { formatCRAP } from "./money.js";

const statusText = {
  verified: "✓ verified",
  partial: "◐ hashes and quorum checked, signatures not",
  failed: "✗ does not verify",
  unavailable: "? cannot check here",
  pending: "… checking",
};

// markText is the short mark shown next to a round.
export const markText = {
  verified: "✓ verified",
  partial: "◐ partly verified",
  failed: "✗ failed",
  unavailable: "? unchecked",
  pending: "…",
};

// Verifier caches one verification per round and state hash: a certificate
// never changes, so it is checked once.
export class Verifier {
  constructor() {
    this.cache = new Map();
  }
  check(tableId, row) {
    const key = `${tableId}/${row.round}/${row.state_hash ?? ""}`;
    if (!this.cache.has(key)) this.cache.set(key, verifyRound(tableId, row));
    return this.cache.get(key);
  }
}

let downloadURL = "";

// resultText says what a bet's outcome did, as a player says it.
const resultText = {
  win: "won", lose: "lost", push: "pushed", stays: "stays up", placed: "placed", taken_down: "taken down",
  refunded: "refunded (void round)", forfeited: "forfeited", returned: "returned",
};

// payloadText is one decoded payload of the certificate: who did what.
function payloadText(b, who) {
  switch (b.kind) {
    case "bet": return `${who(b.player)} bet ${formatCRAP(b.amount)} CRAP on ${betName(b)}`;
    case "takedown": return `${who(b.player)} took down ${betName(b)}`;
    case "leave": return `${who(b.player)} left the table`;
    case "join": return `${who(b.player)} seated ${who(b.target)} with ${formatCRAP(b.amount)} CRAP`;
    case "unseat": return `${who(b.player)} voted to unseat ${who(b.target)}`;
  }
  return `${who(b.player)}: a payload this page cannot read`;
}

function outcomeText(o, who) {
  const amount = o.amount ? ` ${o.amount > 0 ? "+" : "−"}${formatCRAP(Math.abs(o.amount))} CRAP` : "";
  return `${who(o.player)}: ${betName({ type: o.type, number: o.number })} (${formatCRAP(o.stake)} CRAP) ${resultText[o.result] ?? o.result}${amount}`;
}

// showDecoded lists the round's bets (decoded from the certificate's own
// payloads) and each bet's outcome (as the node derived it), in words.
function showDecoded(row, me) {
  const who = (p) => (p === me ? "you" : short(p));
  const bets = (row.bets ?? []).map((b) => el("li", { textContent: payloadText(b, who) }));
  if (!bets.length) bets.push(el("li", { className: "muted", textContent: "no bets in this round" }));
  document.getElementById("cert-bets").replaceChildren(...bets);
  let outcomes;
  if (!Array.isArray(row.outcomes)) {
    outcomes = [el("li", { className: "muted", textContent: "this node did not keep the outcomes of this round (older, or certified before it restarted): bitcraps verify replays them" })];
  } else {
    outcomes = row.outcomes.map((o) => el("li", { dataset: { result: o.result }, textContent: outcomeText(o, who) }));
    if (!outcomes.length) outcomes.push(el("li", { className: "muted", textContent: "no wager was open" }));
  }
  document.getElementById("cert-outcomes").replaceChildren(...outcomes);
  const dice = Array.isArray(row.dice) && !row.void ? `${row.dice[0]}-${row.dice[1]} = ${row.dice[0] + row.dice[1]}` : "none: the round is void";
  document.getElementById("cert-dice").textContent = dice;
}

export async function showCertificate(tableId, row, verifier, onClose, me) {
  const dialog = document.getElementById("cert-dialog");
  document.getElementById("cert-title").textContent = `Round ${row.round} certificate`;
  const status = document.getElementById("cert-status");
  status.textContent = statusText.pending;
  status.dataset.state = "pending";
  document.getElementById("cert-checks").replaceChildren();
  showDecoded(row, me);
  document.getElementById("cert-json").textContent = JSON.stringify(row.certificate ?? null, null, 2);
  if (downloadURL) URL.revokeObjectURL(downloadURL);
  downloadURL = URL.createObjectURL(new Blob([JSON.stringify(row, null, 2)], { type: "application/json" }));
  const link = document.getElementById("cert-download");
  link.href = downloadURL;
  link.download = `bitcraps-${tableId}-round-${row.round}.json`;
  document.getElementById("cert-close").onclick = () => dialog.close();
  dialog.onclose = onClose;
  if (!dialog.open) dialog.showModal();

  const result = await verifier.check(tableId, row);
  status.textContent = statusText[result.status];
  status.dataset.state = result.status;
  const items = result.checks.map((c) => {
    const mark = c.ok === true ? "✓" : c.ok === false ? "✗" : "–";
    const state = c.ok === true ? "ok" : c.ok === false ? "failed" : "skipped";
    return el("li", { dataset: { state } }, el("span", { className: "mark", textContent: mark }), ` ${c.name}`,
      c.detail ? el("span", { className: "muted", textContent: ` — ${c.detail}` }) : null);
  });
  document.getElementById("cert-checks").replaceChildren(...items);
}
