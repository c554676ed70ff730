/** The nouns of `opsloop scan`: a manifest object with its place in a file, and a finding about it. */
import type { ObjectRef, Severity } from "../core/types.ts";

/** A Kubernetes object as read from a file (untyped: manifests may be of any kind). */
export interface ManifestObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ManifestDoc {
  /** Path relative to the scanned root, with forward slashes (a SARIF artifactLocation uri). */
  file: string;
  /** 1-based line where the object starts (its YAML document, or its entry in a List). */
  line: number;
  obj: ManifestObject;
}

/** A file or document that was not checked, and why (Helm template, kustomization, not an object). */
export interface ScanNote {
  file: string;
  line?: number;
  note: string;
}

export interface ScanFinding {
  file: string;
  line: number;
  object: ObjectRef;
  rule: string;
  severity: Severity;
  message: string;
  fix: {
    description: string;
    /** Strategic-merge patch (`kubectl patch --type strategic`), or absent where prose must do. */
    patch?: unknown;
  };
}

export interface ScanResult {
  findings: ScanFinding[];
  notes: ScanNote[];
  /** How many objects were checked. */
  objects: number;
  files: number;
}
