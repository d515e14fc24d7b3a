// Small DOM helpers shared by the lobby and the table view.

import { formatCRAP } from "./money.js";

// el builds an element: el("li", {className: "x", dataset: {testid: "y"}}, child, "text").
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(node, rest);
  if (dataset) Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// short shows the first 8 hex digits of a peer ID, as the logs do.
export function short(peer) {
  return typeof peer === "string" && peer.length > 10 ? peer.slice(0, 8) + "…" : String(peer ?? "?");
}

// setAmount writes micro-CRAP into an element as CRAP, keeping the exact
// integer in data-micros for tests and tools.
export function setAmount(node, micros) {
  node.textContent = formatCRAP(micros);
  if (typeof micros === "number") node.dataset.micros = String(micros);
  else delete node.dataset.micros;
}

const onPoint = new Set(["pass", "dont_pass", "come", "dont_come", "pass_odds", "dont_pass_odds"]);

// betName is a bet as people say it: "place 6", "pass", "hard 8", "hop 2-5".
export function betName(bet) {
  const type = String(bet.type ?? "?").replaceAll("_", " ");
  if (bet.type === "hop" && bet.number) return `hop ${Math.floor(bet.number / 10)}-${bet.number % 10}`;
  // A line bet, or its odds, with its point: "come on 8" (as craps's Name).
  if (bet.number && onPoint.has(bet.type)) return `${type} on ${bet.number}`;
  return bet.number ? `${type} ${bet.number}` : type;
}

// showError puts the API's message (or any error's) in the banner. The
// server's words are shown as they are: they name the field or rule. The
// banner stays until dismissed or until the next action succeeds.
export function showError(err, context) {
  const box = document.getElementById("error");
  const text = document.getElementById("error-text");
  const msg = err?.message ?? String(err);
  text.textContent = context ? `${context}: ${msg}` : msg;
  box.dataset.code = err?.code ?? "client";
  box.hidden = false;
}

export function clearError() {
  document.getElementById("error").hidden = true;
}
