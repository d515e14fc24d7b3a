// bitcraps web table: the entry module. It knows who "you" are (the node's
// peer ID from GET /api/v1/status), keeps the wallet in the header, and
// routes between the lobby (#/) and a table (#/table/{id}, with
// /round/{n} to open that round's certificate).
//
// The page uses only the public API of DESIGN.md "Interfaces". What it
// reads (amounts in micro-CRAP, players as peer IDs):
//
//   GET  /api/v1/status           {"peer_id","state","money"}: who "you" are,
//                                 and whether CRAP here is play money
//   GET  /api/v1/balance          {"wallet","chips":{table_id: micros}}
//   GET  /api/v1/tables           [table, ...] (or {"tables":[...]})
//   GET  /api/v1/tables/{id}      table = {"id","host","status","phase":
//        "come_out"|"point","point","round" (last certified),"shooter","next_shooter",
//        "bank","min_bet","max_bet","min_players","max_players",
//        "last_dice":[d1,d2],"pending_bets" (a count),"waiting_bets":[{"id",
//        "type","number","amount","take_down","round"}] (yours, waiting for
//        the roll),"refused_bets":[{... ,"reason"}] (yours, that a later
//        round refused),"problem","players":[{"peer_id","chips" (in hand),
//        "bets":[{"id","type","number","amount"}]}]}
//   POST /api/v1/tables           {"min_players","max_players","bankroll",
//        "min_bet","max_bet"[,"buy_in"][,"bet_window"]} -> 201 table
//   POST .../join {"buy_in"} -> table; POST .../bets {"type","amount"
//        [,"number"]} -> 202 {"bet_id"} (with "take_down": true and no amount
//        it takes your wagers on that bet down); POST .../roll -> 202;
//        POST .../leave
//   GET  .../rounds               [{"round","dice","void","state_hash",
//        "certificate","bets":[{"player","kind","type","number","amount"}],
//        "outcomes":[{"player","bet","result","stake","amount"}]}] (see
//        verify.js); GET .../events (see events.js)
//   errors                        {"error":{"code","message"}}, shown as is

import { api, apiToken, setAPIToken } from "./api.js";
import { Lobby } from "./lobby.js";
import { TableView } from "./table.js";
import { setAmount, showError, clearError } from "./ui.js";
import { verifyRound, diceFromSeed } from "./verify.js";

// statusEvery refreshes the header (node state, wallet) while the page is
// open; a table's own events refresh it sooner.
const statusEvery = 5000;

const session = {
  me: "",
  setWallet(micros) {
    setAmount(document.getElementById("wallet"), micros);
  },
};

async function refreshStatus() {
  try {
    const s = await api.status();
    session.me = s.peer_id;
    const peer = document.getElementById("peer-id");
    peer.textContent = s.peer_id ? s.peer_id.slice(0, 8) + "…" : "?";
    peer.title = s.peer_id ?? "";
    peer.dataset.peerId = s.peer_id ?? "";
    const state = document.getElementById("node-state");
    state.textContent = s.state;
    state.dataset.state = s.state;
    // Play money is said plainly (issue 12): these CRAP are free.
    const money = document.getElementById("money-notice");
    money.hidden = s.money?.mode !== "play_money";
    money.textContent = s.money?.notice ?? "";
  } catch (err) {
    showError(err, "reaching the node");
  }
  try {
    session.setWallet((await api.balance()).wallet);
  } catch (err) {
    showError(err, "loading your balance");
  }
}

let lobby;
let tableView;

function route() {
  const m = /^#\/table\/([^/]+)(?:\/round\/(\d+))?$/.exec(location.hash);
  if (m) {
    lobby.close();
    tableView.open(decodeURIComponent(m[1]), m[2]);
  } else {
    tableView.close();
    lobby.open();
  }
}

function wireChrome() {
  document.getElementById("error-close").addEventListener("click", clearError);
  const input = document.getElementById("token-input");
  input.value = apiToken();
  document.getElementById("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setAPIToken(input.value.trim());
    e.target.closest("details").open = false;
  });
}

async function main() {
  wireChrome();
  lobby = new Lobby();
  tableView = new TableView(session);
  await refreshStatus(); // "you" must be known before a table is drawn
  setInterval(refreshStatus, statusEvery);
  window.addEventListener("hashchange", route);
  route();
  document.body.dataset.ready = "true";
}

// For tests and the curious: the certificate checks, callable from the
// console or a driver (window.bitcraps.verifyRound(tableId, row)).
window.bitcraps = { verifyRound, diceFromSeed };

main();
