/** `timestamp,value` CSV parsing shared by the NAB loader and `scoreCsv`. */
import { OpsloopError } from "../../core/errors.ts";

export interface Series {
  timestamps: string[];
  /** Epoch milliseconds (timestamps are read as UTC). */
  times: number[];
  values: number[];
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?Z?$/;

export function parseTimestamp(text: string): number {
  const m = TIME.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, frac] = m;
    const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
    return Date.UTC(+(y ?? 0), +(mo ?? 1) - 1, +(d ?? 1), +(h ?? 0), +(mi ?? 0), +(s ?? 0), ms);
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new Error(`bad timestamp "${text}"`);
  return parsed;
}

/** Parses `timestamp,value` rows; throws OpsloopError naming the line of the first bad row. */
export function parseSeriesCsv(text: string): Series {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").trim().toLowerCase().split(",");
  if (header[0] !== "timestamp" || header[1] !== "value") {
    throw new OpsloopError(
      "invalid_input",
      `CSV header must start with "timestamp,value", got "${lines[0] ?? ""}"`,
    );
  }
  const out: Series = { timestamps: [], times: [], values: [] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const [ts = "", raw = ""] = line.split(",");
    const value = raw.trim() === "" ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) {
      throw new OpsloopError("invalid_input", `line ${i + 1}: value "${raw}" is not a number`);
    }
    let time: number;
    try {
      time = parseTimestamp(ts.trim());
    } catch {
      throw new OpsloopError("invalid_input", `line ${i + 1}: timestamp "${ts}" is not a date`);
    }
    out.timestamps.push(ts.trim());
    out.times.push(time);
    out.values.push(value);
  }
  return out;
}
