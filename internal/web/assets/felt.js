// The felt: every betting area as a button. Clicking one places a bet of the
// selected chip amount with POST .../bets {"type","amount"} plus "number"
// for numbered bets. Types are the rules engine's bet ids (bitcraps rules);
// payouts are internal/craps's (see its doc.go, "Bets").

const placeName = { 4: "4", 5: "5", 6: "SIX", 8: "8", 9: "NINE", 10: "10" };
const points = [4, 5, 6, 8, 9, 10];
const pays = {
  place: { 4: "9:5", 5: "7:5", 6: "7:6", 8: "7:6", 9: "7:5", 10: "9:5" },
  lose: { 4: "5:11", 5: "5:8", 6: "4:5", 8: "4:5", 9: "5:8", 10: "5:11" },
  buy: { 4: "2:1", 5: "3:2", 6: "6:5", 8: "6:5", 9: "3:2", 10: "2:1" },
  lay: { 4: "1:2", 5: "2:3", 6: "5:6", 8: "5:6", 9: "2:3", 10: "1:2" },
};

// Each point number has a box: lay and place-to-lose above the number (the
// don't side), place in the middle, buy below; under it the spots where
// come and don't come bets travel to, where a click lays odds on them.
function numberBox(n) {
  return [
    { type: "lay", number: n, label: "LAY", sub: `${pays.lay[n]} −5% win`, cls: "lay small" },
    { type: "place_to_lose", number: n, label: "LOSE", sub: pays.lose[n], cls: "lose small" },
    { type: "place", number: n, label: placeName[n], sub: pays.place[n], cls: "place" },
    { type: "buy", number: n, label: "BUY", sub: `${pays.buy[n]} −5%`, cls: "buy small" },
    { type: "come_odds", number: n, label: `COME ${n}`, sub: "click: odds", cls: "come-spot small", travel: true },
    { type: "dont_come_odds", number: n, label: `DC ${n}`, sub: "click: lay odds", cls: "dont-come-spot small", travel: true },
  ];
}

// Areas are grouped the way a table reads: numbers across the top, then
// come, field, don't pass and the pass line with their odds; the
// proposition box beside, with the hop bets behind a picker.
export const layout = {
  main: [
    { type: "dont_come", label: "DON'T COME", sub: "bar 12 · 1:1", cls: "dont-come" },
    ...points.map((n) => ({ box: n, items: numberBox(n) })),
    { type: "come", label: "COME", sub: "1:1", cls: "come" },
    { type: "field", label: "FIELD", sub: "2 · 3 · 4 · 9 · 10 · 11 · 12 — 2 pays 2:1, 12 pays 3:1", cls: "field" },
    { type: "dont_pass", label: "DON'T PASS BAR", sub: "12 pushes · 1:1", cls: "dont-pass" },
    { type: "dont_pass_odds", label: "LAY ODDS", sub: "true odds, 0% edge", cls: "dont-pass-odds odds" },
    { type: "pass", label: "PASS LINE", sub: "1:1", cls: "pass" },
    { type: "pass_odds", label: "PASS ODDS", sub: "true odds, 0% edge", cls: "pass-odds odds" },
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
    { type: "horn", label: "HORN", sub: "2·3·11·12, ¼ each", cls: "horn" },
    { type: "c_and_e", label: "C & E", sub: "½ craps 7:1, ½ 11 15:1", cls: "c-and-e" },
    { type: "big", number: 6, label: "BIG 6", sub: "1:1", cls: "big" },
    { type: "big", number: 8, label: "BIG 8", sub: "1:1", cls: "big" },
    { type: "any_craps", label: "ANY CRAPS", sub: "7:1", cls: "any-craps" },
  ],
  // Every hop: the two dice, smaller first (hop 2-5 is number 25).
  hops: [1, 2, 3, 4, 5, 6].flatMap((a) => [1, 2, 3, 4, 5, 6].filter((b) => b >= a).map((b) => ({
    type: "hop", number: a * 10 + b, label: `${a}-${b}`, sub: a === b ? "30:1" : "15:1", cls: "hop",
  }))),
};

// areas lists every betting area of the layout, number boxes flattened.
export function areas() {
  return [...layout.main.flatMap((a) => a.items ?? [a]), ...layout.props, ...layout.hops];
}

// areaKey names an area and a bet the same way as the engine's bet ids:
// "pass", "place_6", "hard_8", "hop_2_5".
export function areaKey(type, number) {
  if (type === "hop" && number) return `hop_${Math.floor(number / 10)}_${number % 10}`;
  return number ? `${type}_${number}` : type;
}

// Bets that have no area of their own are drawn where they belong: a come
// or don't come bet that travelled to its number on that number's spot
// (with its odds), a pass or don't pass bet with its point on its line.
function homeArea(map, bet) {
  if (bet.type === "come" && bet.number) return map.get(areaKey("come_odds", bet.number));
  if (bet.type === "dont_come" && bet.number) return map.get(areaKey("dont_come_odds", bet.number));
  if ((bet.type === "pass_odds" || bet.type === "dont_pass_odds") && bet.number) return map.get(bet.type);
  return map.get(areaKey(bet.type, bet.number)) ?? map.get(bet.type);
}

function button(a, onBet) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = `area area-${a.cls.split(" ").join(" area-")}`;
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
  if (a.travel) el.hidden = true; // shown once a bet travels there
  return [key, el];
}

// buildFelt draws the areas into root and calls onBet({type, number}) on a
// click. It returns the Map of area key -> element.
export function buildFelt(root, onBet) {
  const inner = document.createElement("div");
  inner.className = "felt-inner";
  root.replaceChildren(inner);
  const map = new Map();
  const add = (box, a) => {
    const [key, el] = button(a, onBet);
    map.set(key, el);
    box.append(el);
  };
  const main = document.createElement("div");
  main.className = "felt-main";
  for (const a of layout.main) {
    if (!a.items) {
      add(main, a);
      continue;
    }
    const box = document.createElement("div");
    box.className = "number-box";
    box.dataset.testid = `box-${a.box}`;
    for (const item of a.items) add(box, item);
    main.append(box);
  }
  const props = document.createElement("div");
  props.className = "felt-props";
  for (const a of layout.props) add(props, a);
  props.append(hopPicker(map, add));
  inner.append(main, props);
  const puck = document.createElement("span");
  puck.id = "puck";
  puck.dataset.testid = "puck";
  inner.append(puck);
  return map;
}

// hopPicker is the HOP area: a click opens the 21 hops, a hop's click bets
// on it. The area shows the chips of every hop bet; each hop its own.
function hopPicker(map, add) {
  const wrap = document.createElement("div");
  wrap.className = "hop-wrap";
  const grid = document.createElement("div");
  grid.className = "hop-picker";
  grid.dataset.testid = "hop-picker";
  grid.hidden = true;
  const [key, opener] = button({ type: "hop", label: "HOP", sub: "one roll: 15:1, pairs 30:1 ▾", cls: "hop-open" }, () => {
    grid.hidden = !grid.hidden;
    opener.setAttribute("aria-expanded", String(!grid.hidden));
  });
  opener.dataset.testid = "hop-open";
  opener.setAttribute("aria-expanded", "false");
  map.set(key, opener);
  wrap.append(opener, grid);
  for (const h of layout.hops) add(grid, h);
  return wrap;
}

// paintFelt shows every seated player's bets on their areas — yours, yours
// waiting for the roll (dimmed), and the others' — and moves the puck: OFF
// in the don't-come bar on the come-out, ON on the point's box.
export function paintFelt(map, table, me, fmt) {
  const totals = new Map();
  const addTo = (el, field, amount) => {
    const t = totals.get(el) ?? { mine: 0, waiting: 0, others: 0 };
    t[field] += amount ?? 0;
    totals.set(el, t);
  };
  for (const p of table.players ?? []) {
    for (const bet of p.bets ?? []) {
      if (bet.take_down) continue; // a take-down puts nothing on the felt
      const el = homeArea(map, bet);
      if (!el) continue;
      addTo(el, p.peer_id !== me ? "others" : bet.pending ? "waiting" : "mine", bet.amount);
      if (bet.type.startsWith("hop")) addTo(map.get("hop"), p.peer_id !== me ? "others" : bet.pending ? "waiting" : "mine", bet.amount);
    }
  }
  for (const el of map.values()) {
    const chips = el.querySelector(".area-chips");
    const t = totals.get(el);
    chips.replaceChildren();
    el.classList.toggle("has-bets", Boolean(t));
    if (el.dataset.bet === "come_odds" || el.dataset.bet === "dont_come_odds") el.hidden = !t;
    if (!t) continue;
    if (t.mine) chips.append(chip(fmt(t.mine), "chip chip-mine", t.mine, "your bet"));
    if (t.waiting) chips.append(chip(fmt(t.waiting), "chip chip-mine chip-pending", t.waiting, "your bet, waiting for the roll"));
    if (t.others) chips.append(chip(fmt(t.others), "chip chip-others", t.others, "other players' bets"));
  }
  const puck = document.getElementById("puck");
  const point = table.phase === "point" ? table.point : 0;
  const box = point ? map.get(areaKey("place", point)) : map.get("dont_come");
  puck.textContent = point ? "ON" : "OFF";
  puck.dataset.state = point ? "on" : "off";
  puck.dataset.point = String(point ?? 0);
  if (box && puck.parentElement !== box) box.append(puck);
}

function chip(text, cls, micros, title) {
  const el = document.createElement("span");
  el.className = cls;
  el.textContent = text;
  el.title = title;
  el.dataset.micros = String(micros);
  return el;
}
