// One table: the felt, your seat and chips, the dice, the players' bets,
// the rounds with their certificates, and the live feed.

import { api } from "./api.js";
import { subscribe } from "./events.js";
import { buildFelt, paintFelt, areaKey } from "./felt.js";
import { dieElement } from "./dice.js";
import { formatCRAP, parseCRAP } from "./money.js";
import { el, short, setAmount, betName, showError, clearError } from "./ui.js";
import { Verifier, markText, showCertificate } from "./certview.js";
import { describe, callOf } from "./feed.js";

// Bounds on what the page keeps: the feed and the rounds shown.
const feedLimit = 100;
const roundsShown = 12;
const lastRollsShown = 10;
// After POST .../roll answers 202 the result arrives by the event stream;
// polling as well, every rollPoll for at most rollPolls tries (30 s: a round
// under load), keeps the page right when the stream is down (a proxy that
// buffers SSE, for instance).
const rollPoll = 300;
const rollPolls = 100;
// refreshDelay gathers a burst of events (a roll brings a roll, a
// settlement, a phase and a table) into one round of GETs.
const refreshDelay = 120;

// syncText says how current a watched table's state is ("" before play).
// lifecycleText says why a table this node plays does not play now.
function lifecycleText(t) {
  switch (t.lifecycle) {
    case "paused": return `Paused: ${t.paused_reason}. Nobody rolls until the absent players are back; past the seat grace the table is dissolved.`;
    case "catching_up": return `This node is catching up: ${t.behind} certified rounds to fetch before it bets again.`;
    case "dissolving": return `Paused past the seat grace (${t.paused_reason}): the players present are dissolving the table.`;
    case "dissolved": return "This table was dissolved: chips, open bets at their exact value and the bank were paid out.";
  }
  return "";
}

function syncText(t) {
  switch (t.sync) {
    case "live": return "live";
    case "catching_up": return t.behind ? `catching up (${t.behind} rounds behind)` : "catching up";
    case "stale": return "stale: no player of the table answered for a while";
    default: return t.sync ?? "";
  }
}

// Bets as internal/craps defines them (its doc.go, "Bets"): the kinds
// named with a number, the contracts (Pass and Come once their point is
// set: on the layout they always are), and the bonus bets, which may be
// taken down only before their first roll (on the layout they have seen
// one). Don't bets come down once their odds are down. The node judges
// again: this only decides where a "take down" button is offered.
const numbered = new Set(["place", "place_to_lose", "big", "buy", "lay", "hard", "hop", "yes", "no", "next", "repeater", "come_odds", "dont_come_odds"]);
const contracts = new Set(["pass", "come"]);
const bonus = new Set(["repeater", "fire", "bonus_small", "bonus_tall", "bonus_all", "hot_roller", "twice_hard",
  "ride_the_line", "muggsy", "replay", "different_doubles"]);

function removable(b, bets) {
  if (b.pending || b.take_down || contracts.has(b.type) || bonus.has(b.type)) return false;
  if (b.type === "dont_pass") return !bets.some((o) => o.type === "dont_pass_odds" && !o.pending);
  if (b.type === "dont_come") return !bets.some((o) => o.type === "dont_come_odds" && o.number === b.number && !o.pending);
  return true;
}

// validDice is a roll as the API sends it: [0,0] means none (a void round,
// or no roll yet).
function validDice(d) {
  return Array.isArray(d) && d.length === 2 && d.every((v) => Number.isInteger(v) && v >= 1 && v <= 6);
}

export class TableView {
  constructor(session) {
    this.session = session; // {me, setWallet(micros)}
    this.verifier = new Verifier();
    this.id = "";
    this.reset();
    document.getElementById("join-form").addEventListener("submit", (e) => this.join(e));
    document.getElementById("roll-button").addEventListener("click", () => this.roll());
    document.getElementById("leave-button").addEventListener("click", () => this.leave());
  }

  reset() {
    this.table = null;
    this.stream = "connecting"; // the event stream's own state
    this.balance = null;
    this.rows = [];
    this.rolls = new Map(); // round -> [d1, d2], from the export, events and the view
    // Refusals of your bets already told in the banner (by bet id).
    this.toldRefusals = new Set();
    this.refreshTimer = 0;
    this.unsubscribe = null;
    this.busyRolling = false;
    this.wantRound = null; // a round whose certificate dialog to open
  }

  open(id, round) {
    if (this.id !== id) {
      this.close();
      this.id = id;
      this.reset();
      document.getElementById("feed").replaceChildren();
      document.getElementById("dice").replaceChildren();
      delete document.getElementById("dice").dataset.round;
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
    // Each (re)connection starts with the table's recent events (history),
    // so the feed starts over rather than repeat them.
    if (state === "live") document.getElementById("feed").replaceChildren();
    this.stream = state;
    this.renderStream();
  }

  // renderStream shows the event stream's state, and for a table this node
  // watches (its player does not sit there) how current the certified
  // state it shows is: the dot is green only while it is.
  renderStream() {
    const s = document.getElementById("stream-status");
    const t = this.table;
    let state = this.stream;
    let text = this.stream;
    if (t && t.role === "watching") {
      const sync = t.sync ?? "";
      if (state === "live") state = sync === "live" ? "live" : sync || "watching";
      text = this.stream === "live" ? `watching${syncText(t) ? " · " + syncText(t) : ""}` : `watching · ${this.stream}`;
    }
    s.dataset.state = state;
    s.textContent = text;
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
    else this.setTable(table.value);
    if (balance.status === "rejected") showError(balance.reason, "loading your balance");
    else this.balance = balance.value;
    if (rounds.status === "rejected") showError(rounds.reason, "loading the rounds");
    else this.setRounds(rounds.value);
    this.render();
    if (this.wantRound !== null) this.openCertificate(this.wantRound);
  }

  setTable(t) {
    if (!t || t.id !== this.id) return;
    this.table = t;
    if (validDice(t.last_dice) && t.round) this.rolls.set(Number(t.round), t.last_dice);
    for (const r of t.refused_bets ?? []) this.tellRefusal(r);
  }

  // tellRefusal puts a bet that a round refused in the banner, once.
  tellRefusal(r) {
    if (!r.id || this.toldRefusals.has(r.id)) return;
    this.toldRefusals.add(r.id);
    const what = r.type ? (r.take_down ? `take-down of ${betName(r)}` : `bet of ${formatCRAP(r.amount)} CRAP on ${betName(r)}`) : `bet ${r.id}`;
    showError(new Error(`your ${what} was refused: ${r.reason}`), "round " + (r.round || "?"));
    document.getElementById("error").dataset.code = "bet_refused";
  }

  setRounds(rows) {
    this.rows = Array.isArray(rows) ? rows : [];
    for (const r of this.rows) if (validDice(r.dice) && !r.void) this.rolls.set(Number(r.round), r.dice);
  }

  me() {
    return this.session.me;
  }

  seat() {
    return (this.table?.players ?? []).find((p) => p.peer_id === this.me());
  }

  // players is the view's players with your bets that wait for the roll
  // (the node holds them for the round being played) added to yours.
  players() {
    const waiting = (this.table?.waiting_bets ?? []).map((b) => ({ ...b, pending: true }));
    return (this.table?.players ?? []).map((p) => p.peer_id !== this.me() || !waiting.length ? p :
      { ...p, bets: [...(p.bets ?? []), ...waiting] });
  }

  render() {
    if (this.balance) this.session.setWallet(this.balance.wallet);
    const t = this.table;
    if (!t) return;
    const phase = document.getElementById("phase");
    phase.textContent = t.phase === "point" ? `point ${t.point}` : "come-out";
    phase.dataset.phase = t.phase ?? "";
    phase.dataset.point = String(t.point ?? 0);
    document.getElementById("table-status").textContent =
      t.closed_reason ? `${t.status} (${t.closed_reason})` : t.status ?? "";
    const role = document.getElementById("table-role");
    role.textContent = t.role ?? "";
    role.dataset.role = t.role ?? "";
    this.renderStream();
    const problem = document.getElementById("table-problem");
    problem.textContent = t.problem ? `This table cannot go on: ${t.problem}` : lifecycleText(t);
    problem.hidden = !problem.textContent;
    document.getElementById("round").textContent = String(t.round ?? "—");
    setAmount(document.getElementById("bank"), t.bank);
    document.getElementById("limits").textContent = `${formatCRAP(t.min_bet)} – ${formatCRAP(t.max_bet)}`;
    const players = this.players();
    this.renderSeat(t, players);
    paintFelt(this.areas, { ...t, players }, this.me(), formatCRAP);
    this.renderPlayers(t, players);
    this.renderDice();
    this.renderRounds();
  }

  // renderSeat shows your chips at this table as the ledger counts them
  // (GET /api/v1/balance: in hand plus on the layout), and the split.
  renderSeat(t, players) {
    const seat = this.seat();
    const mine = players.find((p) => p.peer_id === this.me());
    const onFelt = (mine?.bets ?? []).filter((b) => !b.pending).reduce((s, b) => s + (b.amount ?? 0), 0);
    const ledger = this.balance?.chips?.[t.id];
    const chips = ledger ?? (seat ? (seat.chips ?? 0) + onFelt : undefined);
    setAmount(document.getElementById("my-chips"), chips);
    document.getElementById("chips-split").textContent = seat
      ? `in hand ${formatCRAP(seat.chips)} · on the felt ${formatCRAP(onFelt)}` : "";
    // Join only where the node says a seat can be taken now.
    document.getElementById("join-form").hidden = Boolean(seat) || t.joinable !== true;
    document.getElementById("seated").hidden = !seat;
    const shooter = t.shooter;
    const shooting = Boolean(seat) && shooter === this.me();
    const roll = document.getElementById("roll-button");
    roll.hidden = !shooting;
    roll.disabled = this.busyRolling;
    const next = t.next_shooter && t.next_shooter !== shooter ? ` · next: ${t.next_shooter === this.me() ? "you" : short(t.next_shooter)}` : "";
    document.getElementById("shooter-note").textContent = (shooting ? "you are the shooter" :
      shooter ? `shooter: ${short(shooter)}` : "no shooter yet") + (shooter ? next : "");
    this.renderChips(t);
  }

  // renderChips offers chip values from the table's limits: the minimum and
  // its 5, 25 and 100 multiples, capped at the maximum.
  renderChips(t) {
    const box = document.getElementById("chip-buttons");
    const key = `${t.min_bet}/${t.max_bet}`;
    if (box.dataset.limits === key) return;
    box.dataset.limits = key;
    const unit = t.min_bet || 1_000_000;
    const values = [...new Set([1, 5, 25, 100].map((k) => k * unit).filter((v) => !t.max_bet || v <= t.max_bet))];
    const input = document.getElementById("bet-amount");
    const plain = (v) => formatCRAP(v).replaceAll(",", "");
    box.replaceChildren(...values.map((v) => el("button", {
      type: "button", className: "chip-button", textContent: formatCRAP(v), dataset: { testid: `chip-${v}` },
      onclick: () => { input.value = plain(v); },
    })));
    if (values.length) input.value = plain(values[0]);
  }

  renderPlayers(t, players) {
    // Redraw only on a change: events come in bursts, and a list redrawn
    // under the pointer swallows a click on its "take down" buttons.
    const key = JSON.stringify([players, t.shooter, t.host, t.absent, this.me()]);
    const list = document.getElementById("players");
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    const items = players.map((p) => {
      const tags = [];
      if (p.peer_id === this.me()) tags.push(el("span", { className: "badge you", textContent: "you" }));
      if (p.peer_id === t.shooter) tags.push(el("span", { className: "badge shooter", textContent: "shooter" }));
      if (p.peer_id === t.host) tags.push(el("span", { className: "badge", textContent: "host" }));
      if ((t.absent ?? []).includes(p.peer_id)) tags.push(el("span", { className: "badge absent", textContent: "absent", title: "not heard from for a few seconds; still seated" }));
      const chips = el("span", { className: "amount", title: "chips in hand" });
      setAmount(chips, p.chips);
      const mine = p.peer_id === this.me();
      const bets = (p.bets ?? []).map((b) => el("li", { className: b.pending ? "pending" : "", dataset: { testid: b.pending ? `waiting-${b.id}` : `wager-${b.id}` } },
        b.take_down ? `take down ${betName(b)}` : `${betName(b)} `, b.take_down ? null : el("strong", { textContent: formatCRAP(b.amount) }),
        b.pending ? el("span", { className: "waiting", textContent: " — waiting for the roll" }) : null,
        mine && removable(b, p.bets) ? el("button", { type: "button", className: "take-down", textContent: "take down",
          title: "Take this bet down: its chips come back to you after the next roll", dataset: { testid: `takedown-${areaKey(b.type, b.number)}` },
          onclick: () => this.takeDown(b) }) : null));
      return el("li", { dataset: { testid: `player-${p.peer_id}` } },
        el("div", { className: "player-line" }, el("code", { textContent: short(p.peer_id), title: p.peer_id }), ...tags, chips),
        bets.length ? el("ul", { className: "bets" }, ...bets) : el("div", { className: "muted small", textContent: "no bets" }));
    });
    list.replaceChildren(...items);
  }

  renderDice() {
    const rounds = [...this.rolls.keys()].sort((a, b) => b - a);
    const dice = document.getElementById("dice");
    const result = document.getElementById("roll-result");
    if (!rounds.length) {
      dice.replaceChildren(el("span", { className: "muted", textContent: "no roll yet" }));
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
      const dice = validDice(row.dice) && !row.void ? row.dice : null;
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
    }, this.me());
  }

  onEvent(type, d) {
    if (d.table_id && d.table_id !== this.id) return;
    if (type === "bet_dropped" && !d.history && d.player === this.me()) this.tellRefusal({ ...d, round: Number(this.table?.round ?? 0) + 1 });
    if (type === "table") {
      this.setTable(d);
      this.render();
    }
    if (type === "roll" && validDice(d.dice)) {
      this.rolls.set(Number(d.round), d.dice);
      this.renderDice();
    }
    for (const line of describe(type, d, this.me())) this.feed(type, line, d.at, d.history);
    if (!d.history) this.scheduleRefresh();
  }

  // feed adds a line; at is when the node emitted the event (Unix ms), and
  // history marks one replayed from before the page opened.
  feed(type, text, at, history) {
    const list = document.getElementById("feed");
    const time = new Date(at || Date.now()).toLocaleTimeString([], { hour12: false });
    list.prepend(el("li", { dataset: { type, history: history ? "true" : "false" } }, el("span", { className: "muted", textContent: time + " " }), text));
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
      this.setTable(await api.join(this.id, buyIn)); // the "seat" event tells the feed
      clearError();
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
      await api.bet(this.id, bet); // the node lists it in waiting_bets; the "bet" event tells the feed
      clearError();
    } catch (err) {
      showError(err, `betting ${betName(bet)}`);
    }
    this.refresh();
  }

  // takeDown asks for your open wagers on a bet back; like a bet, it waits
  // for the roll.
  async takeDown(b) {
    const req = { type: b.type, take_down: true };
    if (b.number && numbered.has(b.type)) req.number = b.number;
    try {
      await api.bet(this.id, req);
      clearError();
    } catch (err) {
      showError(err, `taking down ${betName(b)}`);
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
      for (let i = 0; i < rollPolls && id === this.id && this.table?.round === before; i++) {
        await new Promise((r) => setTimeout(r, rollPoll));
        await this.refresh();
      }
    } catch (err) {
      showError(err, "rolling");
    } finally {
      this.busyRolling = false;
      if (id === this.id) this.render();
    }
  }

  async leave() {
    // A table that waits for players frees the seat at once; a playing
    // one at the end of the round.
    const waiting = this.table?.status === "waiting";
    try {
      await api.leave(this.id);
      clearError();
      this.feed("seat", waiting ? "you left: your buy-in goes back to your wallet"
        : "you asked to leave: you cash out at the end of the round");
    } catch (err) {
      showError(err, "leaving");
    }
    this.refresh();
  }
}
