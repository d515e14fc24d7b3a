// One table: the felt, your seat and chips, the dice, the players' bets,
// the rounds with their certificates, and the live feed.

import { api } from "./api.js";
import { subscribe } from "./events.js";
import { buildFelt, paintFelt } from "./felt.js";
import { dieElement } from "./dice.js";
import { formatCRAP, parseCRAP } from "./money.js";
import { el, short, setAmount, betName, showError, clearError } from "./ui.js";
import { Verifier, markText, showCertificate } from "./certview.js";

// Bounds on what the page keeps: the feed and the rounds shown.
const feedLimit = 100;
const roundsShown = 12;
const lastRollsShown = 10;
// After POST .../roll answers 202 the result arrives by the event stream;
// polling as well, every rollPoll for at most rollPolls tries, keeps the page
// right when the stream is down (a proxy that buffers SSE, for instance).
const rollPoll = 300;
const rollPolls = 40;
// refreshDelay gathers a burst of events (a roll brings a roll, settlements
// and a phase) into one round of GETs.
const refreshDelay = 120;

export class TableView {
  constructor(session) {
    this.session = session; // {me, setWallet(micros)}
    this.verifier = new Verifier();
    this.id = "";
    this.table = null;
    this.rows = [];
    this.rolls = new Map(); // round -> [d1, d2], from the export and events
    this.refreshTimer = 0;
    this.unsubscribe = null;
    this.busyRolling = false;
    this.wantRound = null; // a round number whose certificate dialog to open
    document.getElementById("join-form").addEventListener("submit", (e) => this.join(e));
    document.getElementById("roll-button").addEventListener("click", () => this.roll());
    document.getElementById("leave-button").addEventListener("click", () => this.leave());
  }

  open(id, round) {
    if (this.id !== id) {
      this.close();
      this.id = id;
      this.table = null;
      this.rows = [];
      this.rolls = new Map();
      document.getElementById("feed").replaceChildren();
      document.getElementById("dice").replaceChildren();
      document.getElementById("roll-result").textContent = "";
      document.getElementById("table-id").textContent = id;
      this.areas = buildFelt(document.getElementById("felt"), (bet) => this.placeBet(bet));
      this.unsubscribe = subscribe(api.eventsURL(id), (type, data) => this.onEvent(type, data), (s) => this.streamStatus(s));
    }
    document.getElementById("table-view").hidden = false;
    this.wantRound = round ?? null;
    this.refresh();
  }

  close() {
    if (this.unsubscribe) this.unsubscribe();
    this.unsubscribe = null;
    clearTimeout(this.refreshTimer);
    this.id = "";
    document.getElementById("table-view").hidden = true;
    const dialog = document.getElementById("cert-dialog");
    if (dialog.open) dialog.close();
  }

  streamStatus(state) {
    const s = document.getElementById("stream-status");
    s.dataset.state = state;
    s.textContent = state;
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), refreshDelay);
  }

  // refresh reads the table, the balance and the rounds; each failure is
  // shown, and whatever did load is drawn.
  async refresh() {
    const id = this.id;
    if (!id) return;
    const [table, balance, rounds] = await Promise.allSettled([api.table(id), api.balance(), api.rounds(id)]);
    if (id !== this.id) return; // the player moved to another table meanwhile
    if (table.status === "rejected") showError(table.reason, `loading table ${short(id)}`);
    else this.table = table.value;
    if (balance.status === "rejected") showError(balance.reason, "loading your balance");
    else this.balance = balance.value;
    if (rounds.status === "rejected") showError(rounds.reason, "loading the rounds");
    else this.setRounds(rounds.value);
    this.render();
    if (this.wantRound !== null) this.openCertificate(this.wantRound);
  }

  setRounds(rows) {
    this.rows = Array.isArray(rows) ? rows : [];
    for (const r of this.rows) if (Array.isArray(r.dice)) this.rolls.set(r.round, r.dice);
  }

  me() {
    return this.session.me;
  }

  seat() {
    return (this.table?.players ?? []).find((p) => p.peer_id === this.me());
  }

  render() {
    if (this.balance) this.session.setWallet(this.balance.wallet);
    const t = this.table;
    if (!t) return;
    document.getElementById("phase").textContent = t.phase === "point" ? `point ${t.point}` : "come-out";
    document.getElementById("phase").dataset.phase = t.phase ?? "";
    document.getElementById("round").textContent = String(t.round ?? "—");
    setAmount(document.getElementById("bank"), t.bank);
    document.getElementById("limits").textContent = `${formatCRAP(t.min_bet)} – ${formatCRAP(t.max_bet)}`;
    this.renderSeat(t);
    paintFelt(this.areas, t, this.me(), formatCRAP);
    this.renderPlayers(t);
    this.renderDice();
    this.renderRounds();
  }

  renderSeat(t) {
    const seat = this.seat();
    const chips = this.balance?.chips?.[t.id] ?? seat?.chips;
    setAmount(document.getElementById("my-chips"), seat || chips ? chips ?? 0 : undefined);
    document.getElementById("join-form").hidden = Boolean(seat);
    document.getElementById("seated").hidden = !seat;
    const shooter = t.shooter;
    const mine = Boolean(seat) && shooter === this.me();
    document.getElementById("roll-button").hidden = !mine;
    document.getElementById("roll-button").disabled = this.busyRolling;
    document.getElementById("shooter-note").textContent = mine ? "you are the shooter" :
      shooter ? `shooter: ${short(shooter)}` : "no shooter yet";
    this.renderChips(t);
  }

  // renderChips offers chip values from the table's limits: the minimum and
  // its 5, 25 and 100 multiples, capped at the maximum.
  renderChips(t) {
    const box = document.getElementById("chip-buttons");
    const key = `${t.min_bet}/${t.max_bet}`;
    if (box.dataset.limits === key) return;
    box.dataset.limits = key;
    const values = [...new Set([1, 5, 25, 100].map((k) => k * (t.min_bet || 1_000_000)).filter((v) => !t.max_bet || v <= t.max_bet))];
    const input = document.getElementById("bet-amount");
    box.replaceChildren(...values.map((v) => el("button", {
      type: "button", className: "chip-button", textContent: formatCRAP(v), dataset: { testid: `chip-${v}` },
      onclick: () => { input.value = formatCRAP(v).replaceAll(",", ""); },
    })));
    if (values.length) input.value = formatCRAP(values[0]).replaceAll(",", "");
  }

  renderPlayers(t) {
    const items = (t.players ?? []).map((p) => {
      const tags = [];
      if (p.peer_id === this.me()) tags.push(el("span", { className: "badge you", textContent: "you" }));
      if (p.peer_id === t.shooter) tags.push(el("span", { className: "badge shooter", textContent: "shooter" }));
      const chips = el("span", { className: "amount" });
      setAmount(chips, p.chips);
      const bets = (p.bets ?? []).map((b) => el("li", { className: b.pending ? "pending" : "" },
        `${betName(b)} `, el("strong", { textContent: formatCRAP(b.amount) }), b.pending ? " (next roll)" : ""));
      return el("li", { dataset: { testid: `player-${p.peer_id}` } },
        el("div", { className: "player-line" }, el("code", { textContent: short(p.peer_id), title: p.peer_id }), ...tags, chips),
        bets.length ? el("ul", { className: "bets" }, ...bets) : el("div", { className: "muted small", textContent: "no bets" }));
    });
    document.getElementById("players").replaceChildren(...items);
  }

  renderDice() {
    const rounds = [...this.rolls.keys()].sort((a, b) => b - a);
    const dice = document.getElementById("dice");
    const result = document.getElementById("roll-result");
    if (!rounds.length) {
      dice.replaceChildren(el("span", { className: "muted", textContent: "no roll yet" }));
      dice.dataset.round = "";
      return;
    }
    const latest = rounds[0];
    const [d1, d2] = this.rolls.get(latest);
    if (dice.dataset.round !== String(latest)) {
      dice.replaceChildren(dieElement(d1, "die-1"), dieElement(d2, "die-2"));
      dice.dataset.round = String(latest);
      dice.classList.remove("rolled");
      void dice.offsetWidth; // restart the CSS animation
      dice.classList.add("rolled");
    }
    result.textContent = `${d1 + d2} — ${callOf(d1, d2)} (round ${latest})`;
    result.dataset.total = String(d1 + d2);
    const strip = rounds.slice(0, lastRollsShown).map((r) => {
      const [a, b] = this.rolls.get(r);
      return el("div", { className: "last-roll", title: `round ${r}` }, dieElement(a, "", true), dieElement(b, "", true),
        el("span", { textContent: String(a + b) }));
    });
    document.getElementById("last-rolls").replaceChildren(...strip);
  }

  renderRounds() {
    const rows = this.rows.slice(-roundsShown).reverse();
    const items = rows.map((row) => {
      const mark = el("span", { className: "verified", dataset: { testid: `verified-${row.round}`, state: "pending" }, textContent: markText.pending });
      this.verifier.check(this.id, row).then((res) => {
        mark.dataset.state = res.status;
        mark.textContent = markText[res.status];
      });
      const dice = Array.isArray(row.dice) ? row.dice : null;
      const link = el("a", { href: `#/table/${encodeURIComponent(this.id)}/round/${row.round}`, textContent: "certificate", dataset: { testid: `certificate-${row.round}` } });
      return el("li", { value: row.round, dataset: { testid: `round-${row.round}` } },
        el("span", { className: "round-no", textContent: `#${row.round}` }),
        dice ? el("span", { className: "round-dice" }, dieElement(dice[0], "", true), dieElement(dice[1], "", true), ` ${dice[0] + dice[1]}`)
          : el("span", { className: "muted", textContent: "void" }),
        mark, link);
    });
    if (!items.length) items.push(el("li", { className: "muted", textContent: "no certified round yet" }));
    document.getElementById("rounds").replaceChildren(...items);
  }

  openCertificate(round) {
    const row = this.rows.find((r) => String(r.round) === String(round));
    if (!row) return; // not exported yet; the next refresh tries again
    this.wantRound = null;
    showCertificate(this.id, row, this.verifier, () => {
      if (location.hash.includes("/round/")) location.hash = `#/table/${encodeURIComponent(this.id)}`;
    });
  }

  onEvent(type, d) {
    if (d.table_id && d.table_id !== this.id) return;
    if (type === "roll" && Array.isArray(d.dice)) {
      this.rolls.set(d.round, d.dice);
      this.renderDice();
    }
    this.feed(type, describe(type, d, this.me()));
    this.scheduleRefresh();
  }

  feed(type, text) {
    const list = document.getElementById("feed");
    const time = new Date().toLocaleTimeString([], { hour12: false });
    list.prepend(el("li", { dataset: { type } }, el("span", { className: "muted", textContent: time + " " }), text));
    while (list.children.length > feedLimit) list.lastElementChild.remove();
  }

  async join(e) {
    e.preventDefault();
    let buyIn;
    try {
      buyIn = parseCRAP(document.getElementById("buy-in").value, "buy-in");
    } catch (err) {
      showError(err);
      return;
    }
    try {
      this.table = await api.join(this.id, buyIn);
      clearError();
      this.feed("seat", `you joined with ${formatCRAP(buyIn)} CRAP`);
    } catch (err) {
      showError(err, "joining");
    }
    this.refresh();
  }

  async placeBet({ type, number }) {
    if (!this.seat()) {
      showError(new Error("join the table before betting"));
      return;
    }
    let amount;
    try {
      amount = parseCRAP(document.getElementById("bet-amount").value, "bet amount");
    } catch (err) {
      showError(err);
      return;
    }
    const bet = { type, amount };
    if (number) bet.number = number;
    try {
      const ans = await api.bet(this.id, bet);
      clearError();
      this.feed("bet", `your ${betName(bet)} bet of ${formatCRAP(amount)} CRAP accepted${ans?.bet_id ? " (" + ans.bet_id + ")" : ""}`);
    } catch (err) {
      showError(err, `betting ${betName(bet)}`);
    }
    this.refresh();
  }

  async roll() {
    if (this.busyRolling) return;
    const before = this.table?.round;
    const id = this.id;
    this.busyRolling = true;
    document.getElementById("roll-button").disabled = true;
    try {
      await api.roll(id);
      clearError();
      for (let i = 0; i < rollPolls && id === this.id; i++) {
        await new Promise((r) => setTimeout(r, rollPoll));
        await this.refresh();
        if (this.table?.round !== before) break;
      }
    } catch (err) {
      showError(err, "rolling");
    } finally {
      this.busyRolling = false;
      if (id === this.id) this.render();
    }
  }

  async leave() {
    try {
      await api.leave(this.id);
      clearError();
      this.feed("seat", "you left the table");
    } catch (err) {
      showError(err, "leaving");
    }
    this.refresh();
  }
}

// callOf is what the stickman calls.
function callOf(d1, d2) {
  const t = d1 + d2;
  const names = { 2: "aces", 3: "ace-deuce", 7: "seven", 11: "yo-leven", 12: "boxcars" };
  if (names[t]) return names[t];
  return d1 === d2 ? `hard ${t}` : `easy ${t}`;
}

function describe(type, d, me) {
  const who = d.player === me ? "you" : short(d.player);
  switch (type) {
    case "bet":
      return `${who} bet ${formatCRAP(d.amount)} on ${betName(d)}`;
    case "roll":
      return `round ${d.round}: ${d.dice?.[0]}-${d.dice?.[1]} = ${d.total ?? (d.dice?.[0] + d.dice?.[1])}` +
        (d.phase === "point" ? `, point ${d.point}` : ", come-out next");
    case "settlement": {
      const delta = Number(d.delta ?? 0);
      const verb = delta > 0 ? "won" : delta < 0 ? "lost" : "pushed";
      return `${who} ${verb} ${formatCRAP(Math.abs(delta))} CRAP in round ${d.round}`;
    }
    case "seat":
      return `${who} ${d.action === "join" ? "sat down" : d.action === "unseated" ? "was unseated (no reveal)" : "left"}`;
    case "phase":
      return d.phase === "point" ? `point is ${d.point}` : "come-out roll" + (d.shooter ? `, shooter ${d.shooter === me ? "you" : short(d.shooter)}` : "");
  }
  return type;
}
