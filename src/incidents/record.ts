/**
 * The stored incident: the shared `Incident` plus what grouping and the ROI report need (every
 * deduplicated signal, acknowledgement, merges and earlier episodes of a recurring incident).
 * Persisted as JSON in the `incidents` table; extra fields are invisible to older readers.
 */
import type { Incident } from "../core/types.ts";
import type { Db } from "../store/sqlite.ts";
import type { SignalState } from "./correlate.ts";

export interface Episode {
  openedAt: number;
  diagnosedAt?: number;
  resolvedAt?: number;
  acknowledgedAt?: number;
  /** Firing episodes of its signals: the alerts and findings that came in. */
  signalsIn?: number;
  /** An action was applied during the episode. */
  actedOn?: boolean;
}

export interface IncidentRecord extends Incident {
  signals: SignalState[];
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  /** Ids of incidents merged into this one when a signal showed they share a cause. */
  mergedFrom?: string[];
  /** A past incident (by id) this one repeats, found by the knowledge base when it opened. */
  recurrenceOf?: string;
  /** Earlier episodes of the same incident key (recurrences), oldest first. */
  previous?: Episode[];
  /**
   * When hypotheses were last ranked, over how many signals, and since when the incident has had
   * that many (a young ranking is refreshed as post-onset metrics come in).
   */
  ranked?: { at: number; signals: number; since: number };
}

export function asRecord(inc: Incident): IncidentRecord {
  const r = inc as IncidentRecord;
  return r.signals ? r : { ...inc, signals: [] };
}

export function loadIncident(db: Db, column: "id" | "key", value: string) {
  const row = db.prepare(`SELECT body FROM incidents WHERE ${column} = ?`).get(value) as
    | { body: string }
    | undefined;
  return row ? asRecord(JSON.parse(row.body) as Incident) : undefined;
}

export function loadIncidents(
  db: Db,
  opts: { active?: boolean; status?: Incident["status"]; from?: number; to?: number } = {},
): IncidentRecord[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (opts.status) {
    where.push("status = ?");
    args.push(opts.status);
  } else if (opts.active) where.push("status <> 'resolved'");
  if (opts.from !== undefined) {
    where.push("opened_at >= ?");
    args.push(opts.from);
  }
  if (opts.to !== undefined) {
    where.push("opened_at < ?");
    args.push(opts.to);
  }
  const sql = `SELECT body FROM incidents ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY opened_at`;
  const rows = db.prepare(sql).all(...args) as unknown as { body: string }[];
  return rows.map((r) => asRecord(JSON.parse(r.body) as Incident));
}

export function saveIncident(db: Db, inc: IncidentRecord): void {
  db.prepare(
    `INSERT INTO incidents (id, key, status, opened_at, updated_at, resolved_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
       resolved_at = excluded.resolved_at, opened_at = excluded.opened_at, body = excluded.body`,
  ).run(
    inc.id,
    inc.key,
    inc.status,
    inc.openedAt,
    inc.updatedAt,
    inc.resolvedAt ?? null,
    JSON.stringify(inc),
  );
}

export function deleteIncident(db: Db, id: string): void {
  db.prepare("DELETE FROM incidents WHERE id = ?").run(id);
}
