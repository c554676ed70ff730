/**
 * Persisted action runs. A run is written before every step (phase, step, target, snapshot), so
 * the state on disk always says what may have reached the cluster: `recover()` in the executor
 * reads every run that is not finished and resumes or rolls it back.
 */
import { redactObject } from "../../core/redact.ts";
import type { Finding, ObjectRef } from "../../core/types.ts";
import type { Db } from "../../store/sqlite.ts";

export type RunStatus =
  | "running"
  | "pending_approval"
  | "succeeded"
  | "failed"
  | "rolled_back"
  | "denied"
  | "skipped";

export type RunPhase =
  | "planned"
  | "guard"
  | "pending_approval"
  | "dry_run"
  | "apply"
  | "verify"
  | "rollback"
  | "done";

export interface RunState {
  id: string;
  runbook: string;
  finding: Finding;
  incidentId?: string;
  status: RunStatus;
  step: number;
  targetIndex: number;
  phase: RunPhase;
  /** Targets of the current step, resolved once so a resumed run acts on the same objects. */
  targets: ObjectRef[];
  target?: ObjectRef;
  snapshot?: unknown;
  approvalId?: string;
  /** Targets already applied and verified in this run (for the summary). */
  done: number;
  createdAt: number;
  updatedAt: number;
  note?: string;
  /** The runbook as it was when the run started: a restart resumes exactly what was started. */
  spec?: unknown;
}

interface Row {
  body: string;
  snapshot: string | null;
}

const ACTIVE = ["running", "pending_approval"];

export class RunStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /**
   * Inserts or replaces the run's row in one statement (SQLite makes it atomic). The finding and
   * notes are stored redacted; the snapshot is kept as read, since rollback must restore it.
   */
  save(run: RunState): void {
    const { snapshot, ...raw } = run;
    const body = {
      ...raw,
      finding: redactObject(raw.finding),
      note: raw.note && redactObject(raw.note),
    };
    this.db
      .prepare(
        `INSERT INTO action_runs (id, runbook, finding_id, status, step, target_index, phase, snapshot, created_at, updated_at, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, step = excluded.step,
           target_index = excluded.target_index, phase = excluded.phase, snapshot = excluded.snapshot,
           updated_at = excluded.updated_at, body = excluded.body`,
      )
      .run(
        run.id,
        run.runbook,
        run.finding.id,
        run.status,
        run.step,
        run.targetIndex,
        run.phase,
        snapshot === undefined ? null : JSON.stringify(snapshot),
        run.createdAt,
        run.updatedAt,
        JSON.stringify(body),
      );
  }

  get(id: string): RunState | undefined {
    const row = this.db.prepare("SELECT body, snapshot FROM action_runs WHERE id = ?").get(id) as
      | Row
      | undefined;
    return row && toRun(row);
  }

  /** Runs a crash may have interrupted: not finished, oldest first. */
  unfinished(): RunState[] {
    const rows = this.db
      .prepare(
        `SELECT body, snapshot FROM action_runs WHERE status IN (${ACTIVE.map(() => "?").join(",")}) ORDER BY created_at, id`,
      )
      .all(...ACTIVE) as unknown as Row[];
    return rows.map(toRun);
  }

  list(opts: { limit?: number } = {}): RunState[] {
    const rows = this.db
      .prepare("SELECT body, snapshot FROM action_runs ORDER BY created_at DESC, id LIMIT ?")
      .all(opts.limit ?? 100) as unknown as Row[];
    return rows.map(toRun);
  }
}

function toRun(r: Row): RunState {
  const body = JSON.parse(r.body) as RunState;
  return r.snapshot === null ? body : { ...body, snapshot: JSON.parse(r.snapshot) };
}
