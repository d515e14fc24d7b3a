// The node's JSON API (DESIGN.md "Interfaces"). Every call returns the
// decoded answer or throws an APIError carrying the server's code and
// message, which the page shows to the player as is.

export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "APIError";
    this.status = status;
    this.code = code;
  }
}

const tokenKey = "bitcraps.api_token";

// A node bound to a non-loopback address requires a bearer token on every
// mutating route; the player pastes it once and it stays in this browser.
export function apiToken() {
  try {
    return localStorage.getItem(tokenKey) ?? "";
  } catch {
    return "";
  }
}

export function setAPIToken(token) {
  if (token) localStorage.setItem(tokenKey, token);
  else localStorage.removeItem(tokenKey);
}

export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  // The node refuses changes without this type, so another site cannot
  // send them as a plain form.
  if (method !== "GET") headers["Content-Type"] = "application/json";
  const token = apiToken();
  if (token) headers.Authorization = "Bearer " + token;
  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (err) {
    throw new APIError(0, "unreachable", `${method} ${path}: the node did not answer (${err.message})`);
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      const what = resp.ok ? "answered something that is not JSON" : `answered HTTP ${resp.status}: ${text.slice(0, 200)}`;
      throw new APIError(resp.status, "bad_answer", `${method} ${path} ${what}`);
    }
  }
  if (!resp.ok) {
    const e = data && data.error;
    throw new APIError(resp.status, e?.code ?? `http_${resp.status}`,
      e?.message ?? `${method} ${path} answered HTTP ${resp.status}`);
  }
  return data;
}

const tablePath = (id) => `/api/v1/tables/${encodeURIComponent(id)}`;

export const api = {
  status: () => request("GET", "/api/v1/status"),
  balance: () => request("GET", "/api/v1/balance"),
  // The list is an array of tables; an object {"tables":[...]} is accepted too.
  tables: async () => {
    const data = await request("GET", "/api/v1/tables");
    return Array.isArray(data) ? data : (data?.tables ?? []);
  },
  table: (id) => request("GET", tablePath(id)),
  createTable: (spec) => request("POST", "/api/v1/tables", spec),
  join: (id, buyIn) => request("POST", tablePath(id) + "/join", { buy_in: buyIn }),
  bet: (id, bet) => request("POST", tablePath(id) + "/bets", bet),
  roll: (id) => request("POST", tablePath(id) + "/roll"),
  leave: (id) => request("POST", tablePath(id) + "/leave"),
  rounds: async (id) => (await request("GET", tablePath(id) + "/rounds")) ?? [],
  eventsURL: (id) => tablePath(id) + "/events",
};
