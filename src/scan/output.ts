/**
 * Renderings of a scan: an aligned table (one block per finding: the row, then message and fix
 * indented), the JSON report (documented in docs/scan.md) and SARIF 2.1.0.
 */
import type { Severity } from "../core/types.ts";
import { renderScanSarif } from "./sarif.ts";
import type { ScanResult } from "./types.ts";

export const SCAN_FORMATS = ["table", "json", "sarif"] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

export interface ScanReport extends ScanResult {
  summary: Record<Severity | "total", number>;
}

export function scanReport(r: ScanResult): ScanReport {
  const count = (s: Severity) => r.findings.filter((f) => f.severity === s).length;
  return {
    summary: {
      total: r.findings.length,
      critical: count("critical"),
      warning: count("warning"),
      info: count("info"),
    },
    findings: r.findings,
    notes: r.notes,
    objects: r.objects,
    files: r.files,
  };
}

export function renderScanTable(r: ScanReport): string {
  const lines: string[] = [];
  const where = (f: { file: string; line: number }) => `${f.file}:${f.line}`;
  const locWidth = Math.max(0, ...r.findings.map((f) => where(f).length));
  for (const f of r.findings) {
    const obj = `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ""}${f.object.name}`;
    lines.push(
      `${f.severity.toUpperCase().padEnd(8)}  ${where(f).padEnd(locWidth)}  ${obj}  ${f.rule}`,
    );
    lines.push(`          ${f.message}`);
    lines.push(`          fix: ${f.fix.description}`);
    if (f.fix.patch) lines.push(`          patch: ${JSON.stringify(f.fix.patch)}`);
  }
  for (const n of r.notes) lines.push(`note: ${n.file}${n.line ? `:${n.line}` : ""}: ${n.note}`);
  const s = r.summary;
  if (lines.length) lines.push("");
  lines.push(
    `${r.objects} object${r.objects === 1 ? "" : "s"} in ${r.files} file${r.files === 1 ? "" : "s"}: ${s.total} finding${s.total === 1 ? "" : "s"} (${s.critical} critical, ${s.warning} warning, ${s.info} info)`,
  );
  return `${lines.join("\n")}\n`;
}

export function renderScan(r: ScanReport, format: ScanFormat, toolVersion?: string): string {
  if (format === "table") return renderScanTable(r);
  return `${JSON.stringify(format === "sarif" ? renderScanSarif(r, toolVersion) : r, null, 2)}\n`;
}
