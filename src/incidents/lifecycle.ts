/**
 * Derived fields of an incident, recomputed whenever its signals change: the root signal and
 * the title and root cause that follow from it, the severity (the maximum over signals), the
 * findings shown (root first) and the open → diagnosed step with its timestamp.
 */
import type { ActionSummary, Finding, Incident } from "../core/types.ts";
import { maxSeverity, rootSignal, type SignalState } from "./correlate.ts";
import type { Episode, IncidentRecord } from "./record.ts";

export interface LifecycleOptions {
  diagnoseAt: number;
  maxFindings: number;
}

function describe(f: Finding): string {
  const s = f.subject;
  return `${f.reason} in ${s.kind.toLowerCase()} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`;
}

export function refresh(inc: IncidentRecord, now: number, o: LifecycleOptions): IncidentRecord {
  const { root, explained } = rootSignal(inc.signals);
  const others = inc.signals
    .filter((s) => s !== root)
    .sort((a, b) => b.lastAt - a.lastAt)
    .map((s) => s.finding);
  const findings = [root.finding, ...others].slice(0, o.maxFindings);
  const n = inc.signals.length;
  const title = n > 1 ? `${describe(root.finding)} (+${n - 1} related)` : describe(root.finding);
  const rootCause =
    explained > 0
      ? `${root.finding.rootCause} (explains ${explained} related signal${explained > 1 ? "s" : ""})`
      : root.finding.rootCause;
  // A topology diagnosis: the root explains (nearly) every other signal of the incident.
  const topologyConfidence = n > 2 ? explained / (n - 1) : 0;
  const confidence = Math.max(root.finding.confidence, topologyConfidence);
  const next: IncidentRecord = {
    ...inc,
    title,
    rootCause,
    subject: root.subject,
    severity: inc.signals.reduce<SignalState["severity"]>(
      (a, s) => maxSeverity(a, s.severity),
      "info",
    ),
    findings,
    openedAt: Math.min(inc.openedAt, ...inc.signals.map((s) => s.firstAt)),
    updatedAt: now,
  };
  if (next.status === "resolved") {
    next.status = "open";
    next.resolvedAt = undefined;
    next.diagnosedAt = undefined;
    next.acknowledgedAt = undefined;
  }
  if (next.status === "open" && confidence >= o.diagnoseAt) {
    next.status = "diagnosed";
    next.diagnosedAt = now;
  }
  return next;
}

/** What a notification is about: status, severity, the signals and the affected objects. */
export function visibleState(inc: IncidentRecord): string {
  const affected = inc.findings
    .flatMap((f) => f.affected.map((a) => a.name))
    .sort()
    .join();
  const signals = inc.signals
    .map((s) => s.fingerprint)
    .sort()
    .join();
  return `${inc.status}|${inc.severity}|${signals}|${affected}`;
}

/** The incident's current (or last) episode, as the ROI report counts it. */
export function episodeOf(inc: IncidentRecord): Episode {
  return {
    openedAt: inc.openedAt,
    diagnosedAt: inc.diagnosedAt,
    resolvedAt: inc.resolvedAt,
    acknowledgedAt: inc.acknowledgedAt,
    signalsIn: inc.signals.reduce((a, s) => a + s.episodes, 0),
    actedOn: inc.actions.some((a) => a.result === "applied" && a.time >= inc.openedAt),
  };
}

/** Applied → remediating; denied, failed or rolled back → escalated (a human must act). */
export function nextStatus(current: Incident["status"], action: ActionSummary): Incident["status"] {
  if (current === "resolved") return current;
  if (action.result === "applied") return "remediating";
  if (action.verdict !== "allowed" || action.result === "failed" || action.result === "rolled_back")
    return "escalated";
  return current;
}
