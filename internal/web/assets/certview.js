// The certificate of one round: the checks the browser recomputed, the raw
// JSON, and a file to hand to `bitcraps verify`.

import { verifyRound } from "./verify.js";
import { el } from "./ui.js";

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

export async function showCertificate(tableId, row, verifier, onClose) {
  const dialog = document.getElementById("cert-dialog");
  document.getElementById("cert-title").textContent = `Round ${row.round} certificate`;
  const status = document.getElementById("cert-status");
  status.textContent = statusText.pending;
  status.dataset.state = "pending";
  document.getElementById("cert-checks").replaceChildren();
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
