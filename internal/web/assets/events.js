// The live table: server-sent events from GET /api/v1/tables/{id}/events.
//
// The stream this page expects. Each event names its type in the SSE
// "event:" field and carries one JSON object in "data:" (an id: line lets a
// reconnect resume with Last-Event-ID). The data may be the payload itself
// or the node's envelope {"table_id","type","data":payload}; an unnamed
// event carrying the envelope works too. Amounts are micro-CRAP integers,
// players are peer IDs (64 lowercase hex digits). The types and payloads,
// as messages.TableEvent and the table actor define them:
//
//   table       the whole table view (as GET /api/v1/tables/{id}) after any change
//   bet         a bet (or take-down) accepted for the round being played: it
//               waits for the roll {"player","id","type","number","amount",
//               "round","take_down"}
//   roll        a certified roll; phase and point are the table AFTER it
//               {"round","dice":[d1,d2],"phase","point"}
//   settlement  the round's results
//               {"round","void","state_hash","bank_delta",
//                "deltas":[{"player","delta"}],
//                "outcomes":[{"player","bet","type","number","result","stake","amount"}]}
//   phase       the phase or point changed {"phase":"come_out"|"point","point"}
//   seat        a player sat down or was unseated
//               {"player","seated":true|false,"chips","reason":"leave"|"withheld"}
//   settled     the round's settlement is durable in this node's ledger
//               {"round","state_hash"}
//   evidence    a Byzantine act this node saw {"kind","offender","round","view"}
//   bet_carried one of your bets missed its round (it reached the shooter
//               after the roll) and waits for the next {"id","new_id","round"}
//   bet_dropped one of your bets missed its round and the next one refused it
//               {"player","id","type","number","amount","take_down","reason"}
//   lifecycle   the table paused, resumed, catches up or was dissolved
//               {"mode","reason","absent","behind"}
//
// Every event has "at" (when the node emitted it, Unix ms). A new stream
// starts with the table's recent events, each with "history": true, so the
// page shows what just happened before it opened.
//
// The page never trusts an event for money: every event schedules a fresh
// GET of the table, the balance and the rounds. Events make the page fast
// and the feed readable; the GETs make it right.

export const eventTypes = ["table", "bet", "roll", "settlement", "phase", "seat", "settled", "evidence",
  "bet_carried", "bet_dropped", "lifecycle"];

// unwrap accepts a payload or the {"table_id","type","data"} envelope.
function unwrap(type, parsed) {
  if (parsed && typeof parsed === "object" && "data" in parsed && typeof parsed.type === "string" &&
      (type === "message" || parsed.type === type)) {
    const data = parsed.data && typeof parsed.data === "object" ? { ...parsed.data } : {};
    if (parsed.table_id && !data.table_id) data.table_id = parsed.table_id;
    return [parsed.type, data];
  }
  return [type, parsed ?? {}];
}

// subscribe opens the stream; onEvent(type, data) gets each parsed event,
// onStatus(state) gets "live", "reconnecting" or "closed". It returns a
// function that closes the stream.
export function subscribe(url, onEvent, onStatus) {
  const es = new EventSource(url);
  es.onopen = () => onStatus("live");
  es.onerror = () => onStatus(es.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  for (const type of [...eventTypes, "message"]) {
    es.addEventListener(type, (msg) => {
      let parsed;
      try {
        parsed = JSON.parse(msg.data);
      } catch {
        return; // a malformed event is dropped; the next GET repairs the view
      }
      const [name, data] = unwrap(type, parsed);
      if (eventTypes.includes(name)) onEvent(name, data);
    });
  }
  return () => es.close();
}
