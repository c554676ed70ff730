/**
 * `opsloop scan`: offline security and reliability checks of Kubernetes manifests. Every object
 * with a pod template gets the pod-spec checks; the whole set gets the cross-object checks.
 * Findings are sorted by file, line, then rule, so output diffs cleanly between runs.
 */
import type { Severity } from "../core/types.ts";
import { loadManifests, parseManifests } from "./load.ts";
import { manifestSnapshot } from "./manifest-snapshot.ts";
import { podSpecIssues } from "./pod-checks.ts";
import { rule, SEVERITY_RANK } from "./rules.ts";
import { setIssues } from "./set-checks.ts";
import { type PodTemplate, podTemplate, refOfDoc, templatePatch } from "./templates.ts";
import type { ManifestDoc, ScanFinding, ScanNote, ScanResult } from "./types.ts";

export function scanDocs(docs: ManifestDoc[], notes: ScanNote[] = [], files = 0): ScanResult {
  const templates = docs.map(podTemplate).filter((t): t is PodTemplate => !!t);
  const findings: ScanFinding[] = [];
  for (const t of templates)
    for (const i of podSpecIssues(t.spec))
      findings.push({
        file: t.doc.file,
        line: t.doc.line,
        object: t.ref,
        rule: i.rule,
        severity: i.severity ?? rule(i.rule).severity,
        message: i.message,
        fix: { description: i.fix, ...(i.patch ? { patch: templatePatch(t, i.patch) } : {}) },
      });
  for (const i of setIssues({ docs, templates, snap: manifestSnapshot(docs) }))
    findings.push({
      file: i.doc.file,
      line: i.doc.line,
      object: refOfDoc(i.doc),
      rule: i.rule,
      severity: rule(i.rule).severity,
      message: i.message,
      fix: { description: i.fix, ...(i.patch ? { patch: i.patch } : {}) },
    });
  findings.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
  return { findings, notes, objects: docs.length, files };
}

/** Scans files and directories (recursively); names in findings are relative to `root`. */
export function scanPaths(paths: string[]): ScanResult & { root: string } {
  const loaded = loadManifests(paths);
  return { ...scanDocs(loaded.docs, loaded.notes, loaded.files), root: loaded.root };
}

/** Scans manifests given as text (multi-document YAML or JSON), named `file` in findings. */
export function scanText(text: string, file = "manifests.yaml"): ScanResult {
  const { docs, notes } = parseManifests(text, file);
  return scanDocs(docs, notes, 1);
}

export function atOrAbove(findings: ScanFinding[], min: Severity): ScanFinding[] {
  return findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min]);
}
