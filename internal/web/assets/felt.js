// The felt: every betting area as a button. Clicking one places a bet of the
// selected chip amount with POST .../bets {"type","amount"} plus "number"
// for numbered bets. Types are the rules engine's bet ids (bitcraps rules).

const placeName = { 4: "4", 5: "5", 6: "SIX", 8: "8", 9: "NINE", 10: "10" };

// Areas are grouped the way a table reads: numbers across the top, then
// come, field, don't pass and the pass line; the proposition box beside.
export const layout = {
  main: [
    { type: "dont_come", label: "DON'T COME", sub: "bar 12", cls: "dont-come" },
    ...[4, 5, 6, 8, 9, 10].map((n) => ({ type: "place", number: n, label: placeName[n], sub: n === 6 || n === 8 ? "7:6" : n === 5 || n === 9 ? "7:5" : "9:5", cls: "place" })),
    { type: "come", label: "COME", sub: "1:1", cls: "come" },
    { type: "field", label: "FIELD", sub: "2 · 3 · 4 · 9 · 10 · 11 · 12 — 2 pays 2:1, 12 pays 3:1", cls: "field" },
    { type: "dont_pass", label: "DON'T PASS BAR", sub: "12 pushes", cls: "dont-pass" },
    { type: "pass", label: "PASS LINE", sub: "1:1", cls: "pass" },
  ],
  props: [
    { type: "any_7", label: "ANY SEVEN", sub: "4:1", cls: "any-7" },
    { type: "hard", number: 6, label: "HARD 6", sub: "9:1", cls: "hard" },
    { type: "hard", number: 10, label: "HARD 10", sub: "7:1", cls: "hard" },
    { type: "hard", number: 8, label: "HARD 8", sub: "9:1", cls: "hard" },
    { type: "hard", number: 4, label: "HARD 4", sub: "7:1", cls: "hard" },
    { type: "aces", label: "ACES · 2", sub: "30:1", cls: "craps-num" },
    { type: "ace_deuce", label: "ACE-DEUCE · 3", sub: "15:1", cls: "craps-num" },
    { type: "yo", label: "YO · 11", sub: "15:1", cls: "craps-num" },
    { type: "boxcars", label: "BOXCARS · 12", sub: "30:1", cls: "craps-num" },
    { type: "any_craps", label: "ANY CRAPS", sub: "7:1", cls: "any-craps" },
  ],
};

// areaKey names an area and a bet the same way as the engine's bet ids:
// "pass", "place_6", "hard_8".
export function areaKey(type, number) {
  return number ? `${type}_${number}` : type;
}

// Bets that have no area of their own are drawn on the area they belong to:
// odds behind their line, a travelled come or pass bet on its line.
const homeOf = {
  pass_odds: "pass", dont_pass_odds: "dont_pass", come_odds: "come", dont_come_odds: "dont_come",
};

function homeArea(areas, bet) {
  const exact = areas.get(areaKey(bet.type, bet.number));
  if (exact) return exact;
  if (bet.type === "come" || bet.type === "dont_come" || bet.type === "come_odds") {
    const box = areas.get(areaKey("place", bet.number));
    if (box) return box;
  }
  return areas.get(bet.type) ?? areas.get(homeOf[bet.type]);
}

// buildFelt draws the areas into root and calls onBet({type, number}) on a
// click. It returns the Map of area key -> element.
export function buildFelt(root, onBet) {
  const inner = document.createElement("div");
  inner.className = "felt-inner";
  root.replaceChildren(inner);
  const areas = new Map();
  const group = (name, items) => {
    const box = document.createElement("div");
    box.className = `felt-${name}`;
    for (const a of items) {
      const el = document.createElement("button");
      el.type = "button";
      el.className = `area area-${a.cls}`;
      const key = areaKey(a.type, a.number);
      el.dataset.bet = a.type;
      if (a.number) el.dataset.number = String(a.number);
      el.dataset.testid = `bet-${key}`;
      el.title = `Bet on ${a.label}${a.sub ? " (" + a.sub + ")" : ""}`;
      const label = document.createElement("span");
      label.className = "area-label";
      label.textContent = a.label;
      const sub = document.createElement("span");
      sub.className = "area-sub";
      sub.textContent = a.sub ?? "";
      const chips = document.createElement("span");
      chips.className = "area-chips";
      chips.dataset.testid = `chips-${key}`;
      el.append(label, sub, chips);
      el.addEventListener("click", () => onBet({ type: a.type, number: a.number }));
      areas.set(key, el);
      box.append(el);
    }
    inner.append(box);
  };
  group("main", layout.main);
  group("props", layout.props);
  const puck = document.createElement("span");
  puck.id = "puck";
  puck.dataset.testid = "puck";
  inner.append(puck);
  return areas;
}

// paintFelt shows every seated player's bets on their areas (yours
// highlighted) and moves the puck: OFF in the don't-come bar on the come-out,
// ON on the point's box.
export function paintFelt(areas, table, me, fmt) {
  const totals = new Map();
  for (const p of table.players ?? []) {
    for (const bet of p.bets ?? []) {
      const el = homeArea(areas, bet);
      if (!el) continue;
      const t = totals.get(el) ?? { mine: 0, others: 0, pending: false };
      if (p.peer_id === me) t.mine += bet.amount ?? 0;
      else t.others += bet.amount ?? 0;
      t.pending ||= Boolean(bet.pending);
      totals.set(el, t);
    }
  }
  for (const el of areas.values()) {
    const chips = el.querySelector(".area-chips");
    const t = totals.get(el);
    chips.replaceChildren();
    el.classList.toggle("has-bets", Boolean(t));
    if (!t) continue;
    if (t.mine) chips.append(chip(fmt(t.mine), "chip chip-mine" + (t.pending ? " chip-pending" : ""), t.mine));
    if (t.others) chips.append(chip(fmt(t.others), "chip chip-others", t.others));
  }
  const puck = document.getElementById("puck");
  const point = table.phase === "point" ? table.point : 0;
  const box = point ? areas.get(areaKey("place", point)) : areas.get("dont_come");
  puck.textContent = point ? "ON" : "OFF";
  puck.dataset.state = point ? "on" : "off";
  puck.dataset.point = String(point ?? 0);
  if (box && puck.parentElement !== box) box.append(puck);
}

function chip(text, cls, micros) {
  const el = document.createElement("span");
  el.className = cls;
  el.textContent = text;
  el.dataset.micros = String(micros);
  return el;
}
