// The live feed's words: one or more lines per table event (see events.js
// for the payloads). Lines name you "you" and others by their short peer ID.

import { formatCRAP } from "./money.js";
import { short, betName } from "./ui.js";

// callOf is what the stickman calls.
export function callOf(d1, d2) {
  const t = d1 + d2;
  const names = { 2: "aces", 3: "ace-deuce", 7: "seven", 11: "yo-leven", 12: "boxcars" };
  if (names[t]) return names[t];
  return d1 === d2 ? `hard ${t}` : `easy ${t}`;
}

// describe returns the feed lines for an event; "table" and "settled" only
// refresh the page and say nothing.
export function describe(type, d, me) {
  const who = (p) => (p === me ? "you" : short(p));
  switch (type) {
    case "bet":
      if (d.take_down) return [`${who(d.player)} asked to take down ${betName(d)}: waiting for the roll`];
      return [`${who(d.player)} bet ${formatCRAP(d.amount)} on ${betName(d)}: waiting for the roll`];
    case "bet_carried":
      return [`${who(d.player)}: bet ${d.id} reached the shooter after the roll; it waits for round ${d.round} (now ${d.new_id})`];
    case "bet_dropped":
      return [`${who(d.player)}: ${d.type ? (d.take_down ? "take-down of " : `bet of ${formatCRAP(d.amount)} CRAP on `) + betName(d) : "bet " + d.id} refused: ${d.reason}`];
    case "lifecycle":
      return [d.mode === "paused" ? `the table pauses: ${d.reason}` : d.mode === "catching_up" ? `this node is catching up (${d.behind} rounds)` :
        d.mode === "dissolved" ? "the table was dissolved" : `the table plays (${d.mode})`];
    case "roll": {
      const [a, b] = d.dice ?? [];
      const next = d.phase === "point" ? `point is ${d.point}` : "come-out next";
      return [`round ${d.round}: ${a}-${b} = ${a + b}, ${callOf(a, b)}; ${next}`];
    }
    case "settlement":
      if (d.void) return [`round ${d.round} is void (a reveal was withheld): bets refunded, the withholder's forfeited`];
      return (d.deltas ?? []).filter((x) => x.delta).map((x) =>
        `${who(x.player)} ${x.delta > 0 ? "won" : "lost"} ${formatCRAP(Math.abs(x.delta))} CRAP in round ${d.round}`);
    case "phase":
      return [d.phase === "point" ? `the point is ${d.point}` : "come-out roll"];
    case "seat":
      if (d.seated) return [`${who(d.player)} sat down${d.chips ? " with " + formatCRAP(d.chips) + " CRAP" : ""}`];
      return [`${who(d.player)} ${d.reason === "withheld" ? "was unseated for withholding a reveal" : "left the table"}` +
        (d.chips ? `, cashing out ${formatCRAP(d.chips)} CRAP` : "")];
    case "evidence":
      return [`⚠ evidence of ${d.kind ?? "misbehaviour"} by ${who(d.offender)} in round ${d.round}`];
  }
  return [];
}
