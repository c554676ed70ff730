/**
 * Findings → incidents. An incident is keyed by subject + reason, so a finding repeated every
 * cycle updates its incident instead of opening another. Lifecycle:
 * open → diagnosed (a root cause with enough confidence) → remediating (a runbook acted) or
 * escalated (the runbook was denied or failed) → resolved (no finding for `resolveAfterMs`).
 * openedAt is the first observation, diagnosedAt and resolvedAt give MTTD/MTTR. A resolved
 * incident that recurs is reopened with fresh timestamps.
 */

import { newId } from "../core/ids.ts";
import type { ActionSummary, Finding, Incident } from "../core/types.ts";
import { refKey } from "../diagnose/owners.ts";
import type { Db } from "../store/sqlite.ts";

export interface IncidentEvent {
  type: "opened" | "updated" | "resolved";
  incident: Incident;
}

export interface IncidentOptions {
  /** How long an incident's findings must be absent before it is resolved. */
  resolveAfterMs?: number;
  /** Confidence from which a finding's root cause counts as the diagnosis. */
  diagnoseAt?: number;
  /** Findings kept per incident (newest first). */
  maxFindings?: number;
}

export function incidentKey(f: Finding): string {
  return `${refKey(f.subject)}/${f.reason}`;
}

export class IncidentManager {
  private readonly db: Db;
  private readonly lastSeen = new Map<string, number>();
  private readonly resolveAfterMs: number;
  private readonly diagnoseAt: number;
  private readonly maxFindings: number;

  constructor(db: Db, opts: IncidentOptions = {}) {
    this.db = db;
    this.resolveAfterMs = opts.resolveAfterMs ?? 5 * 60_000;
    this.diagnoseAt = opts.diagnoseAt ?? 0.7;
    this.maxFindings = opts.maxFindings ?? 20;
  }

  /** Applies one evaluation cycle's findings at time `now`. */
  ingest(findings: Finding[], now: number): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    const byKey = new Map<string, Finding[]>();
    for (const f of findings) byKey.set(incidentKey(f), [...(byKey.get(incidentKey(f)) ?? []), f]);
    for (const [key, fs] of byKey) {
      this.lastSeen.set(key, now);
      const ev = this.upsert(key, fs, now);
      if (ev) events.push(ev);
    }
    for (const inc of this.list({ active: true })) {
      const seen = this.lastSeen.get(inc.key) ?? inc.updatedAt;
      if (!byKey.has(inc.key) && now - seen >= this.resolveAfterMs) {
        const resolved: Incident = { ...inc, status: "resolved", resolvedAt: now, updatedAt: now };
        this.save(resolved);
        events.push({ type: "resolved", incident: resolved });
      }
    }
    return events;
  }

  /** Saves the incident; returns an event only when it opened or visibly changed. */
  private upsert(key: string, fs: Finding[], now: number): IncidentEvent | undefined {
    const existing = this.getByKey(key);
    const lead = [...fs].sort((a, b) => b.confidence - a.confidence)[0] as Finding;
    const kept = existing ? existing.findings.filter((f) => !fs.some((n) => n.id === f.id)) : [];
    const findings = [...fs, ...kept].slice(0, this.maxFindings);
    const reopened = existing?.status === "resolved";
    const base: Incident =
      existing && !reopened
        ? existing
        : {
            id: existing?.id ?? newId(),
            key,
            title: `${lead.reason} in ${lead.subject.kind.toLowerCase()} ${lead.subject.namespace ? `${lead.subject.namespace}/` : ""}${lead.subject.name}`,
            status: "open",
            severity: lead.severity,
            subject: lead.subject,
            rootCause: lead.rootCause,
            findings: [],
            actions: existing?.actions ?? [],
            openedAt: Math.min(now, ...fs.map((f) => f.time)),
            updatedAt: now,
          };
    const inc: Incident = {
      ...base,
      findings,
      rootCause: lead.rootCause,
      severity: lead.severity,
      updatedAt: now,
    };
    if (reopened) inc.resolvedAt = undefined;
    if (inc.status === "open" && lead.confidence >= this.diagnoseAt) {
      inc.status = "diagnosed";
      inc.diagnosedAt = now;
    }
    this.save(inc);
    if (!existing || reopened) return { type: "opened", incident: inc };
    const affected = (i: Incident) =>
      i.findings
        .flatMap((f) => f.affected.map((a) => a.name))
        .sort()
        .join();
    // The root-cause text of a prediction counts down its ETA every cycle: not a change worth an event.
    const changed = existing.status !== inc.status || affected(existing) !== affected(inc);
    return changed ? { type: "updated", incident: inc } : undefined;
  }

  /**
   * Records a remediation action: applied → remediating; denied, failed or rolled back →
   * escalated (a human must act).
   */
  recordAction(id: string, action: ActionSummary, now: number): Incident | undefined {
    const inc = this.get(id);
    if (!inc) return undefined;
    const status = nextStatus(inc.status, action);
    const next: Incident = { ...inc, status, actions: [...inc.actions, action], updatedAt: now };
    this.save(next);
    return next;
  }

  get(id: string): Incident | undefined {
    const row = this.db.prepare("SELECT body FROM incidents WHERE id = ?").get(id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as Incident) : undefined;
  }

  getByKey(key: string): Incident | undefined {
    const row = this.db.prepare("SELECT body FROM incidents WHERE key = ?").get(key) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as Incident) : undefined;
  }

  list(opts: { active?: boolean; status?: Incident["status"] } = {}): Incident[] {
    const rows = (opts.status
      ? this.db
          .prepare("SELECT body FROM incidents WHERE status = ? ORDER BY opened_at")
          .all(opts.status)
      : opts.active
        ? this.db
            .prepare(
              "SELECT body FROM incidents WHERE status NOT IN ('resolved') ORDER BY opened_at",
            )
            .all()
        : this.db.prepare("SELECT body FROM incidents ORDER BY opened_at").all()) as unknown as {
      body: string;
    }[];
    return rows.map((r) => JSON.parse(r.body) as Incident);
  }

  private save(inc: Incident): void {
    this.db
      .prepare(
        `INSERT INTO incidents (id, key, status, opened_at, updated_at, resolved_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
           resolved_at = excluded.resolved_at, opened_at = excluded.opened_at, body = excluded.body`,
      )
      .run(
        inc.id,
        inc.key,
        inc.status,
        inc.openedAt,
        inc.updatedAt,
        inc.resolvedAt ?? null,
        JSON.stringify(inc),
      );
  }
}

function nextStatus(current: Incident["status"], action: ActionSummary): Incident["status"] {
  if (current === "resolved") return current;
  if (action.result === "applied") return "remediating";
  if (action.verdict !== "allowed" || action.result === "failed" || action.result === "rolled_back")
    return "escalated";
  return current;
}
