import { OpsloopError } from "../core/errors.ts";

export interface TimeSeries {
  /** Milliseconds since the epoch. */
  times: number[];
  values: number[];
  /** Whether the input used unix seconds (else ISO timestamps). */
  unixSeconds: boolean;
  /** Median spacing in milliseconds. */
  stepMs: number;
}

function parseTime(cell: string, line: number): { ms: number; unix: boolean } {
  if (/^\d+(\.\d+)?$/.test(cell)) return { ms: Number(cell) * 1000, unix: true };
  const ms = Date.parse(
    cell.includes("T") || cell.endsWith("Z") ? cell : `${cell.replace(" ", "T")}Z`,
  );
  if (Number.isNaN(ms))
    throw new OpsloopError("invalid_input", `line ${line}: bad timestamp "${cell}"`);
  return { ms, unix: false };
}

/** Parses a `timestamp,value` CSV (header required; unix seconds or ISO times, UTC if no zone). */
export function parseSeriesCsv(text: string): TimeSeries {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((c) => c.trim().toLowerCase());
  if (
    header.length !== 2 ||
    !["timestamp", "ts", "time"].includes(header[0] as string) ||
    header[1] !== "value"
  ) {
    throw new OpsloopError(
      "invalid_input",
      `expected the header "timestamp,value", got "${lines[0] ?? ""}"`,
    );
  }
  const times: number[] = [];
  const values: number[] = [];
  let unix = false;
  lines.slice(1).forEach((line, i) => {
    const [t, v] = line.split(",").map((c) => c.trim());
    const value = Number(v);
    if (t === undefined || v === undefined || v === "" || !Number.isFinite(value)) {
      throw new OpsloopError(
        "invalid_input",
        `line ${i + 2}: expected timestamp,value with a number, got "${line}"`,
      );
    }
    const parsed = parseTime(t, i + 2);
    if (times.length > 0 && parsed.ms <= (times[times.length - 1] as number)) {
      throw new OpsloopError("invalid_input", `line ${i + 2}: timestamps must increase`);
    }
    unix = parsed.unix;
    times.push(parsed.ms);
    values.push(value);
  });
  const gaps = times
    .slice(1)
    .map((t, i) => t - (times[i] as number))
    .sort((a, b) => a - b);
  return { times, values, unixSeconds: unix, stepMs: gaps[Math.floor(gaps.length / 2)] ?? 0 };
}
