/** `opsloop report [--db F] [--since D] [--output json|table]`: ROI figures from stored incidents. */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig } from "../../../config/config.ts";
import { goDuration, isoTime, parseDuration, systemClock } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { type RoiFigures, type RoiReport, roiReport } from "../../../incidents/roi.ts";
import { openDb } from "../../../store/sqlite.ts";
import { outputFormat } from "../table.ts";

interface ReportFlags {
  db?: string;
  since?: string;
  output: string;
}

/** `--since` is a duration back from now (7d) or a timestamp (2026-01-05T00:00:00Z). */
function sinceOf(text: string | undefined, now: number): number | undefined {
  if (!text) return undefined;
  const at = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at)) return at;
  try {
    return now - parseDuration(text);
  } catch {
    throw new OpsloopError(
      "invalid_input",
      `--since must be a duration (7d, 12h) or a timestamp, got "${text}"`,
    );
  }
}

const dur = (ms: number | undefined) => (ms === undefined ? "-" : goDuration(ms));
const pct = (x: number | undefined) => (x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);

function rows(f: RoiFigures): [string, string][] {
  return [
    ["incidents", String(f.incidents)],
    ["resolved", String(f.resolved)],
    ["alerts in", String(f.alertsIn)],
    ["noise reduction", pct(f.noiseReduction)],
    ["MTTD (mean / median)", `${dur(f.mttdMs)} / ${dur(f.medianMttdMs)}`],
    ["MTTA (mean)", dur(f.mttaMs)],
    ["MTTR (mean / median)", `${dur(f.mttrMs)} / ${dur(f.medianMttrMs)}`],
    ["auto-resolved share", pct(f.autoResolvedShare)],
    ["recurrence rate", pct(f.recurrenceRate)],
  ];
}

export function formatReport(r: RoiReport): string {
  const w = Math.max(...rows(r).map(([k]) => k.length));
  let out = rows(r)
    .map(([k, v]) => `${k.padEnd(w)}  ${v}\n`)
    .join("");
  if (r.series.length > 1) {
    out += "\nday         incidents  alerts in  MTTD      MTTR\n";
    for (const s of r.series)
      out += `${isoTime(s.from).slice(0, 10)}  ${String(s.incidents).padStart(9)}  ${String(s.alertsIn).padStart(9)}  ${dur(s.mttdMs).padEnd(8)}  ${dur(s.mttrMs)}\n`;
  }
  return out;
}

/** The database file from --db or OPSLOOP_DB; it must exist (a report never creates one). */
export function dbFile(flag: string | undefined): string {
  const file = loadConfig({ db: flag }).db;
  if (file === ":memory:")
    throw new OpsloopError("invalid_input", "give the database with --db FILE or OPSLOOP_DB");
  if (!existsSync(file)) throw new OpsloopError("invalid_input", `no database at ${file}`);
  return file;
}

export function runReport(flags: ReportFlags, now = systemClock.now()): string {
  outputFormat(flags.output, ["table", "json"] as const);
  const file = dbFile(flags.db);
  const from = sinceOf(flags.since, now);
  const db = openDb(file);
  try {
    const report = roiReport(db, from === undefined ? {} : { from });
    return flags.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report);
  } finally {
    db.close();
  }
}

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("MTTD, MTTR, alerts in vs incidents out, auto-resolved share and recurrence")
    .option("--db <file>", "SQLite database file (default: OPSLOOP_DB)")
    .option("--since <when>", "only incidents opened since a duration ago (7d) or a timestamp")
    .option("--output <format>", "table or json", "table")
    .action((flags: ReportFlags) => {
      process.stdout.write(runReport(flags));
    });
}
