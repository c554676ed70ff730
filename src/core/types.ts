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

/** A ranked root-cause candidate for an incident (src/incidents/rca/hypotheses.ts). */
export interface Hypothesis {
  entity: ObjectRef;
  cause: string;
  /** Share (0..1) of the evidence weight of all hypotheses. */
  confidence: number;
  score: number;
  evidence: Evidence[];
  /** Workloads whose symptoms this hypothesis explains. */
  explains: ObjectRef[];
}

/** What the optional LLM investigator concluded about an incident (src/agent/investigator). */
export interface IncidentInvestigation {
  summary: string;
  steps: number;
  toolCalls: { tool: string; ok: boolean }[];
  stoppedBy: "model" | "step-budget" | "tool-output-budget" | "error";
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
  /** Root-cause hypotheses, best first, ranked when the incident opened or gained signals. */
  hypotheses?: Hypothesis[];
  /** The LLM investigator's conclusion, for incidents no rule explains (when one is configured). */
  investigation?: IncidentInvestigation;
}
