/**
 * `opsloop scan --output sarif`: SARIF 2.1.0 for code-scanning dashboards. Unlike diagnose (whose
 * subjects live in a cluster), every result has a physicalLocation (§3.29): the file relative to
 * the scanned root (uriBaseId SRCROOT, §3.4.4) and the line its object starts on. The driver
 * lists every rule (§3.49) so ruleIndex is stable across runs; skipped files become
 * toolExecutionNotifications (§3.58). The fix's strategic-merge patch rides in properties:
 * SARIF `fixes` (§3.55) describe byte replacements, not API patches.
 */
import { stableId } from "../core/ids.ts";
import { LEVEL, sarifLog } from "../diagnose/output/sarif.ts";
import type { ScanReport } from "./output.ts";
import { RULES } from "./rules.ts";

export function renderScanSarif(r: ScanReport, toolVersion = "0.0.0"): object {
  const rules = [...RULES.values()];
  const index = new Map(rules.map((x, i) => [x.id, i]));
  const uri = (file: string) => ({ uri: encodeURI(file), uriBaseId: "SRCROOT" });
  return sarifLog(
    toolVersion,
    rules.map((x) => ({
      id: x.id,
      name: x.id.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: x.short },
      fullDescription: { text: x.help },
      help: { text: x.help },
      defaultConfiguration: { level: LEVEL[x.severity] },
    })),
    {
      invocations: [
        {
          executionSuccessful: true,
          toolExecutionNotifications: r.notes.map((n) => ({
            level: "note",
            message: { text: n.note },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: uri(n.file),
                  ...(n.line ? { region: { startLine: n.line } } : {}),
                },
              },
            ],
          })),
        },
      ],
      results: r.findings.map((f) => ({
        ruleId: f.rule,
        ruleIndex: index.get(f.rule) as number,
        level: LEVEL[f.severity],
        message: { text: `${f.message}. Fix: ${f.fix.description}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: uri(f.file),
              region: { startLine: f.line },
            },
            logicalLocations: [
              {
                name: f.object.name,
                fullyQualifiedName: `${f.object.namespace ? `${f.object.namespace}/` : ""}${f.object.kind}/${f.object.name}`,
                kind: "resource",
              },
            ],
          },
        ],
        partialFingerprints: {
          "opsloopScan/v1": stableId(
            `${f.object.kind}/${f.object.namespace ?? ""}/${f.object.name}/${f.rule}/${f.message}`,
          ),
        },
        properties: { fix: f.fix },
      })),
    },
  );
}
