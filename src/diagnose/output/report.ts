/**
 * The document `opsloop diagnose --output json` prints (documented in docs/diagnose.md). Findings
 * are ordered by severity, then subject, so two runs over the same cluster print the same file.
 */
import type { Finding, Severity } from "../../core/types.ts";

export interface DiagnoseReport {
  apiVersion: "opsloop.dev/v1";
  kind: "DiagnoseReport";
  /** ISO time of the diagnosis. */
  generatedAt: string;
  /** The kubeconfig context diagnosed, when known. */
  context?: string;
  /** The namespace filter, when `-n` was given. */
  namespace?: string;
  /** Analyzer ids that ran. */
  analyzers: string[];
  summary: Record<Severity, number> & { total: number };
  findings: Finding[];
  /** Finding id → the LLM's explanation, only with `--explain` and a configured model. */
  explanations?: Record<string, string>;
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function sortFindings(findings: Finding[]): Finding[] {
  const key = (f: Finding) =>
    `${f.subject.namespace ?? ""}/${f.subject.kind}/${f.subject.name}/${f.reason}`;
  return [...findings].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || key(a).localeCompare(key(b)),
  );
}

export function buildReport(
  findings: Finding[],
  meta: { now: number; analyzers: string[]; context?: string; namespace?: string },
): DiagnoseReport {
  const summary = { critical: 0, warning: 0, info: 0, total: findings.length };
  for (const f of findings) summary[f.severity]++;
  return {
    apiVersion: "opsloop.dev/v1",
    kind: "DiagnoseReport",
    generatedAt: new Date(meta.now).toISOString(),
    ...(meta.context ? { context: meta.context } : {}),
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    analyzers: meta.analyzers,
    summary,
    findings: sortFindings(findings),
  };
}

export function subjectName(f: Finding): string {
  return `${f.subject.kind}/${f.subject.namespace ? `${f.subject.namespace}/` : ""}${f.subject.name}`;
}
