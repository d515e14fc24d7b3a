// The live table: server-sent events from GET /api/v1/tables/{id}/events.
//
// The stream this page expects (the node must send exactly these names):
//
//   event: <type>
//   id: <increasing sequence, so a reconnect resumes with Last-Event-ID>
//   data: <one JSON object on one line>
//
// Every object carries "table_id" and "round". Amounts are micro-CRAP
// integers, players are peer IDs (64 lowercase hex digits).
//
//   bet         a bet was accepted for the round being played
//               {"table_id","round","bet_id","player","type","number","amount"}
//   roll        a round was certified with these dice; phase, point and
//               shooter are the table AFTER the roll
//               {"table_id","round","dice":[d1,d2],"total","phase","point","shooter"}
//   settlement  one player's bets resolved by that roll; delta is the signed
//               change of the player's chips, chips the new chip count
//               {"table_id","round","player","delta","chips",
//                "results":[{"bet_id","type","number","amount","outcome":"win"|"lose"|"push","payout"}]}
//   seat        a player sat down, left, or was unseated (withheld a reveal)
//               {"table_id","round","player","action":"join"|"leave"|"unseated","chips"}
//   phase       the phase, point or shooter changed
//               {"table_id","round","phase":"come_out"|"point","point","shooter"}
//
// The page never trusts an event for money: every event only schedules a
// fresh GET of the table, the balance and the rounds. Events make the page
// fast and the feed readable; the GETs make it right.

export const eventTypes = ["bet", "roll", "settlement", "seat", "phase"];

// subscribe opens the stream; onEvent(type, data) gets each parsed event,
// onStatus(state) gets "live", "reconnecting" or "closed". It returns a
// function that closes the stream.
export function subscribe(url, onEvent, onStatus) {
  const es = new EventSource(url);
  es.onopen = () => onStatus("live");
  es.onerror = () => onStatus(es.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  for (const type of eventTypes) {
    es.addEventListener(type, (msg) => {
      let data;
      try {
        data = JSON.parse(msg.data);
      } catch {
        return; // a malformed event is dropped; the next GET repairs the view
      }
      onEvent(type, data ?? {});
    });
  }
  return () => es.close();
}
