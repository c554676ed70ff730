/** The nouns of the loop (see DESIGN.md, "Data model"). */

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export type Severity = "info" | "warning" | "critical";

export type FindingKind = "anomaly" | "prediction" | "problem" | "alert";

export interface Evidence {
  /** What kind of evidence: an event, a status field, a log line, samples of a series. */
  type: "event" | "status" | "log" | "samples" | "object";
  text: string;
  data?: unknown;
}

export interface Finding {
  /** Stable across evaluation cycles for the same root cause, so repeats are deduplicated. */
  id: string;
  kind: FindingKind;
  severity: Severity;
  subject: ObjectRef;
  /** Objects affected by the same root cause (ten crashing pods of one Deployment). */
  affected: ObjectRef[];
  /** One sentence: the root cause, not the symptom. */
  rootCause: string;
  /** Short machine-readable reason, e.g. CreateContainerConfigError, OOMPredicted. */
  reason: string;
  evidence: Evidence[];
  fix?: { description: string; command?: string; patch?: unknown };
  confidence: number;
  /** The analyzer or detector that made it. */
  source: string;
  /** Milliseconds since the epoch when first observed. */
  time: number;
  /** For predictions: when the predicted event happens. */
  eta?: number;
}

export type IncidentStatus = "open" | "diagnosed" | "remediating" | "resolved" | "escalated";

export interface ActionSummary {
  runId: string;
  runbook: string;
  action: string;
  target: ObjectRef;
  verdict: "allowed" | "denied" | "needs_approval";
  reasons: string[];
  result: "applied" | "failed" | "rolled_back" | "skipped" | "dry_run";
  auditId: string;
  time: number;
}

export interface Incident {
  id: string;
  key: string;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  subject: ObjectRef;
  rootCause: string;
  findings: Finding[];
  actions: ActionSummary[];
  openedAt: number;
  diagnosedAt?: number;
  resolvedAt?: number;
  updatedAt: number;
}
