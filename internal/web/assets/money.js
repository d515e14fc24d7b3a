// Amounts. The API speaks integer micro-CRAP (1 CRAP = 1,000,000 micro);
// people read and type CRAP with up to 6 decimals. Parsing works on the
// digits, never through a float, so "0.1" is exactly 100000 micro.

export const MICROS_PER_CRAP = 1_000_000;

const amountPattern = /^(\d+)(?:\.(\d{1,6}))?$/;

// formatCRAP renders micro-CRAP as CRAP: 12500000 -> "12.5", 1 -> "0.000001".
export function formatCRAP(micros) {
  if (typeof micros !== "number" || !Number.isFinite(micros)) return "—";
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(micros));
  const whole = Math.floor(abs / MICROS_PER_CRAP).toLocaleString("en-US");
  const frac = String(abs % MICROS_PER_CRAP).padStart(6, "0").replace(/0+$/, "");
  return sign + whole + (frac ? "." + frac : "");
}

// parseCRAP reads a CRAP amount typed by a person into micro-CRAP. It throws
// an Error naming the field when the text is not a non-negative amount with
// at most 6 decimals.
export function parseCRAP(text, field) {
  const s = String(text ?? "").trim().replaceAll(",", "").replaceAll("_", "");
  const m = amountPattern.exec(s);
  if (!m) {
    throw new Error(`${field}: "${text}" is not an amount of CRAP (digits, up to 6 decimals)`);
  }
  const micros = Number(m[1]) * MICROS_PER_CRAP + Number((m[2] ?? "").padEnd(6, "0"));
  if (!Number.isSafeInteger(micros)) {
    throw new Error(`${field}: ${text} CRAP is too large`);
  }
  return micros;
}
