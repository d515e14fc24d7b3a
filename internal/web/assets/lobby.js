// The lobby: every table the node knows, and the form that creates one.

import { api } from "./api.js";
import { formatCRAP, parseCRAP } from "./money.js";
import { el, short, showError, clearError } from "./ui.js";

// refreshEvery is the lobby's poll period: the lobby has no event stream,
// and tables appear rarely, so a few seconds is fresh enough.
const refreshEvery = 4000;

export class Lobby {
  constructor() {
    this.timer = 0;
    document.getElementById("create-table").addEventListener("submit", (e) => this.create(e));
  }

  open() {
    document.getElementById("lobby").hidden = false;
    this.refresh();
    this.timer = setInterval(() => this.refresh(), refreshEvery);
  }

  close() {
    clearInterval(this.timer);
    document.getElementById("lobby").hidden = true;
  }

  async refresh() {
    let tables;
    try {
      tables = await api.tables();
    } catch (err) {
      showError(err, "listing tables");
      return;
    }
    const rows = tables.map((t) => this.row(t));
    document.getElementById("table-rows").replaceChildren(...rows);
    document.getElementById("no-tables").hidden = rows.length > 0;
  }

  row(t) {
    const players = t.players ?? [];
    const phase = t.phase === "point" ? `point ${t.point}` : "come-out";
    const status = t.status ? `${t.status}, ${phase}` : phase;
    const open = el("a", { href: `#/table/${encodeURIComponent(t.id)}`, className: "button", textContent: "Open", dataset: { testid: `open-table-${t.id}` } });
    // data-label names each cell where a phone shows rows as cards.
    const cells = [
      el("td", { dataset: { label: "Table" } }, el("code", { textContent: short(t.id), title: t.id })),
      el("td", { dataset: { label: "Host" } }, el("code", { textContent: short(t.host ?? ""), title: t.host ?? "" })),
      el("td", { dataset: { label: "Players" }, textContent: `${players.length} / ${t.max_players ?? "?"}` }),
      el("td", { dataset: { label: "Bank (CRAP)" }, textContent: formatCRAP(t.bank) }),
      el("td", { dataset: { label: "Bets (CRAP)" }, textContent: `${formatCRAP(t.min_bet)} – ${formatCRAP(t.max_bet)}` }),
      el("td", { dataset: { label: "Status" }, textContent: status }),
      el("td", { className: "open" }, open),
    ];
    return el("tr", { dataset: { testid: `table-row-${t.id}` } }, ...cells);
  }

  async create(e) {
    e.preventDefault();
    const f = e.target.elements;
    let spec;
    try {
      spec = {
        min_players: wholeNumber(f.min_players.value, "min players"),
        max_players: wholeNumber(f.max_players.value, "max players"),
        bankroll: parseCRAP(f.bankroll.value, "bankroll"),
        min_bet: parseCRAP(f.min_bet.value, "min bet"),
        max_bet: parseCRAP(f.max_bet.value, "max bet"),
      };
      // buy_in seats the host at its own table; sent only when asked for.
      if (f.bet_window.value.trim() !== "") spec.bet_window = f.bet_window.value.trim();
      if (f.buy_in.value.trim() !== "") {
        const buyIn = parseCRAP(f.buy_in.value, "sit down with");
        if (buyIn > 0) spec.buy_in = buyIn;
      }
    } catch (err) {
      showError(err);
      return;
    }
    const button = e.target.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const t = await api.createTable(spec);
      clearError();
      location.hash = `#/table/${encodeURIComponent(t.id)}`;
    } catch (err) {
      showError(err, "creating the table");
    } finally {
      button.disabled = false;
    }
  }
}

function wholeNumber(text, field) {
  const s = String(text).trim();
  if (!/^\d+$/.test(s)) throw new Error(`${field}: "${text}" is not a whole number`);
  return Number(s);
}
