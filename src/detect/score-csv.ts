/**
 * `timestamp,value` CSV in, `timestamp,value,anomaly_score` CSV out. Each row's score comes from
 * a detector that has seen only that row and the ones before it.
 */
import { EnsembleDetector, type EnsembleOptions } from "./ensemble.ts";
import { parseSeriesCsv } from "./nab/csv.ts";

export interface ScoredRow {
  timestamp: string;
  value: number;
  anomaly_score: number;
  explanation?: string;
}

export function scoreCsv(text: string, options: Partial<EnsembleOptions> = {}): ScoredRow[] {
  const series = parseSeriesCsv(text);
  const detector = new EnsembleDetector(options);
  const rows: ScoredRow[] = [];
  for (let i = 0; i < series.values.length; i++) {
    const value = series.values[i] as number;
    const out = detector.update(series.times[i] as number, value);
    const row: ScoredRow = {
      timestamp: series.timestamps[i] as string,
      value,
      anomaly_score: out.score,
    };
    if (out.explanation !== undefined) row.explanation = out.explanation;
    rows.push(row);
  }
  return rows;
}

export function formatScoredCsv(rows: readonly ScoredRow[]): string {
  const lines = ["timestamp,value,anomaly_score"];
  for (const r of rows) lines.push(`${r.timestamp},${r.value},${r.anomaly_score}`);
  return `${lines.join("\n")}\n`;
}
