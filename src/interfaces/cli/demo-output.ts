/** The demo's outputs: one line per incident event (text) and the JSON summary. */
import type { AuditLog, AuditVerification } from "../../act/audit.ts";
import { isoTime } from "../../core/clock.ts";
import type { ActionSummary, Incident } from "../../core/types.ts";
import type { IncidentEvent, IncidentManager } from "../../incidents/incidents.ts";
import type { IncidentRecord } from "../../incidents/record.ts";

export interface DemoSummary {
  scenario: string;
  simulated: { start: string; end: string };
  incidents: {
    id: string;
    title: string;
    status: Incident["status"];
    subject: Incident["subject"];
    rootCause: string;
    openedAt: string;
    diagnosedAt?: string;
    resolvedAt?: string;
    findings: {
      kind: string;
      reason: string;
      rootCause: string;
      affected: string[];
      confidence: number;
      eta?: string;
    }[];
    actions: (Omit<ActionSummary, "time"> & { time: string })[];
    /**
     * Earlier episodes, oldest first: an incident whose key fires again after it resolved is
     * reopened (a recurrence), and `openedAt` is then the latest opening.
     */
    previous?: { openedAt: string; resolvedAt?: string }[];
  }[];
  audit: { records: number; verification: AuditVerification };
  errors: string[];
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : isoTime(ms));

function incidentSummary(i: IncidentRecord): DemoSummary["incidents"][number] {
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    subject: i.subject,
    rootCause: i.rootCause,
    openedAt: isoTime(i.openedAt),
    diagnosedAt: iso(i.diagnosedAt),
    resolvedAt: iso(i.resolvedAt),
    findings: i.findings.map((f) => ({
      kind: f.kind,
      reason: f.reason,
      rootCause: f.rootCause,
      affected: f.affected.map((a) => `${a.namespace}/${a.name}`),
      confidence: f.confidence,
      eta: iso(f.eta),
    })),
    actions: i.actions.map((a) => ({ ...a, time: isoTime(a.time) })),
    ...(i.previous?.length
      ? {
          previous: i.previous.map((e) => ({
            openedAt: isoTime(e.openedAt),
            resolvedAt: iso(e.resolvedAt),
          })),
        }
      : {}),
  };
}

export function summarize(x: {
  scenario: string;
  startedAt: number;
  endedAt: number;
  incidents: IncidentManager;
  audit: AuditLog;
  errors: string[];
}): DemoSummary {
  const verification = x.audit.verify();
  return {
    scenario: x.scenario,
    simulated: { start: isoTime(x.startedAt), end: isoTime(x.endedAt) },
    incidents: x.incidents.list().map(incidentSummary),
    audit: {
      records: verification.ok ? verification.count : x.audit.list({ limit: 1000 }).length,
      verification,
    },
    // Distinct messages only: a flapping watch would otherwise repeat one error hundreds of times.
    errors: [...new Set(x.errors)].slice(0, 20),
  };
}

export function formatAction(i: Incident, a: ActionSummary): string {
  const target = `${a.target.namespace}/${a.target.name}`;
  return `${isoTime(a.time)} ACTION   ${a.action} ${target} for "${i.title}": ${a.verdict}, ${a.result} (${a.reasons.join("; ")}) audit ${a.auditId}\n`;
}

export function formatEvent(e: IncidentEvent): string {
  const i = e.incident;
  const at = isoTime(i.updatedAt);
  if (e.type === "resolved") return `${at} RESOLVED ${i.title}\n`;
  const eta = i.findings[0]?.eta;
  const when = eta ? ` (ETA ${isoTime(eta)})` : "";
  return `${at} ${e.type === "opened" ? "OPENED  " : "UPDATED "} [${i.status}] ${i.title}: ${i.rootCause}${when}\n`;
}

const COLOURS: Record<string, string> = {
  OPENED: "33",
  UPDATED: "36",
  RESOLVED: "32",
  ACTION: "35",
};

/** Colours an event line's keyword only on a terminal, so pipes and files stay plain text. */
export function paint(line: string, tty: boolean): string {
  if (!tty) return line;
  return line.replace(
    / (OPENED|UPDATED|RESOLVED|ACTION)\b/,
    (_m, w: string) => ` \x1b[${COLOURS[w]}m${w}\x1b[0m`,
  );
}
