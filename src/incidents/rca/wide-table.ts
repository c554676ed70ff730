/**
 * The wide metrics table of microservice RCA data sets: a `time` column, then one column per
 * `<service>_<metric>` (the service is the text before the first underscore, so metric names
 * may contain underscores: `cart_latency_p99`). Time is epoch seconds, epoch milliseconds or an
 * ISO timestamp; cells that are empty or not numbers are NaN (gaps).
 */
import { OpsloopError } from "../../core/errors.ts";

export interface WideTable {
  /** Epoch milliseconds, ascending. */
  times: number[];
  /** service → metric → values aligned with `times`. */
  series: Map<string, Map<string, number[]>>;
}

function parseTime(cell: string, row: number): number {
  const n = Number(cell);
  if (cell !== "" && Number.isFinite(n)) return n < 1e11 ? n * 1000 : n;
  const t = Date.parse(cell);
  if (Number.isNaN(t)) throw new OpsloopError("invalid_input", `row ${row}: bad time "${cell}"`);
  return t;
}

export function parseWideCsv(text: string): WideTable {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  const timeCol = header.findIndex((h) => h === "time" || h === "timestamp");
  if (timeCol < 0)
    throw new OpsloopError(
      "invalid_input",
      "the CSV needs a `time` column and <service>_<metric> columns",
    );
  const cols = header.map((h, i) => {
    const u = h.indexOf("_");
    return i === timeCol || u <= 0 ? undefined : { service: h.slice(0, u), metric: h.slice(u + 1) };
  });
  if (!cols.some(Boolean))
    throw new OpsloopError("invalid_input", "no <service>_<metric> columns in the CSV header");
  const rows = lines.slice(1).map((l, i) => ({ cells: l.split(","), row: i + 2 }));
  rows.sort(
    (a, b) => parseTime(a.cells[timeCol] ?? "", a.row) - parseTime(b.cells[timeCol] ?? "", b.row),
  );
  const table: WideTable = { times: [], series: new Map() };
  for (const { cells, row } of rows) {
    table.times.push(parseTime((cells[timeCol] ?? "").trim(), row));
    cols.forEach((c, i) => {
      if (!c) return;
      const byMetric = table.series.get(c.service) ?? new Map<string, number[]>();
      table.series.set(c.service, byMetric);
      const vs = byMetric.get(c.metric) ?? [];
      byMetric.set(c.metric, vs);
      const cell = (cells[i] ?? "").trim();
      vs.push(cell === "" ? Number.NaN : Number(cell));
    });
  }
  return table;
}

export function formatWideCsv(t: WideTable): string {
  const cols: [string, number[]][] = [];
  for (const [svc, byMetric] of t.series)
    for (const [m, vs] of byMetric) cols.push([`${svc}_${m}`, vs]);
  const lines = [["time", ...cols.map(([h]) => h)].join(",")];
  t.times.forEach((time, i) => {
    const cells = cols.map(([, vs]) => {
      const v = vs[i];
      return v === undefined || Number.isNaN(v) ? "" : String(Number(v.toPrecision(6)));
    });
    lines.push([String(Math.round(time / 1000)), ...cells].join(","));
  });
  return `${lines.join("\n")}\n`;
}
