/**
 * SARIF 2.1.0 (OASIS, errata 01) for code-scanning dashboards. A cluster object has no file, so
 * each result is located by a logicalLocation (§3.33) whose fullyQualifiedName is
 * `namespace/Kind/name`; rules are `analyzer/Reason`; partialFingerprints carry the finding's
 * stable id so a dashboard tracks the same root cause across runs (§3.27.17). Severity maps to
 * level (§3.27.10): critical → error, warning → warning, info → note.
 */
import type { Finding, Severity } from "../../core/types.ts";
import { type DiagnoseReport, subjectName } from "./report.ts";

const SCHEMA =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  warning: "warning",
  info: "note",
};

function ruleId(f: Finding): string {
  return `${f.source.replace(/^diagnose\//, "")}/${f.reason}`;
}

export function renderSarif(report: DiagnoseReport, toolVersion = "0.0.0"): object {
  const rules: {
    id: string;
    name: string;
    shortDescription: { text: string };
    defaultConfiguration: { level: string };
  }[] = [];
  const index = new Map<string, number>();
  for (const f of report.findings) {
    const id = ruleId(f);
    if (index.has(id)) continue;
    index.set(id, rules.length);
    rules.push({
      id,
      name: f.reason,
      shortDescription: { text: `${f.reason} (${f.source})` },
      defaultConfiguration: { level: LEVEL[f.severity] },
    });
  }
  const results = report.findings.map((f) => ({
    ruleId: ruleId(f),
    ruleIndex: index.get(ruleId(f)) as number,
    level: LEVEL[f.severity],
    message: { text: f.fix ? `${f.rootCause}. Fix: ${f.fix.description}` : f.rootCause },
    locations: [
      {
        logicalLocations: [
          {
            name: f.subject.name,
            fullyQualifiedName: `${f.subject.namespace ? `${f.subject.namespace}/` : ""}${f.subject.kind}/${f.subject.name}`,
            kind: "resource",
          },
        ],
      },
    ],
    partialFingerprints: { "opsloopFinding/v1": f.id },
    properties: {
      subject: subjectName(f),
      confidence: f.confidence,
      evidence: f.evidence.map((e) => `${e.type}: ${e.text}`),
      affected: f.affected.map((a) => `${a.kind}/${a.namespace ? `${a.namespace}/` : ""}${a.name}`),
      ...(f.fix ? { fix: f.fix } : {}),
    },
  }));
  return sarifLog(toolVersion, rules, {
    invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
    results,
  });
}

/** A SARIF log of one opsloop run (diagnose and scan): the envelope and tool.driver around `run`. */
export function sarifLog(toolVersion: string, rules: object[], run: object): object {
  return {
    $schema: SCHEMA,
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "opsloop", version: toolVersion, rules } }, ...run }],
  };
}
