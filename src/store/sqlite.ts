/**
 * opsloop's own state in SQLite (built-in `node:sqlite`), with numbered schema migrations
 * recorded in `PRAGMA user_version` so an old database file is upgraded in place.
 */
import { DatabaseSync } from "node:sqlite";

const MIGRATIONS: string[] = [
  `CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     key TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     opened_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     resolved_at INTEGER,
     body TEXT NOT NULL
   );
   CREATE INDEX incidents_status ON incidents(status);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     time INTEGER NOT NULL,
     body TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   -- Append-only: the database itself refuses to rewrite or delete audit history.
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
     BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
     BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;`,
  // Approvals (src/act/approvals): one row per action awaiting a human; the one-time token is
  // stored only as a sha256 hash and cleared once used.
  `CREATE TABLE approvals (
     id TEXT PRIMARY KEY,
     run_id TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     token_hash TEXT,
     decided_at INTEGER,
     decided_by TEXT,
     body TEXT NOT NULL
   );
   CREATE INDEX approvals_status ON approvals(status);
   CREATE INDEX approvals_run ON approvals(run_id);`,
  // Learned detector state (src/detect/live): one JSON row per detection series plus the
  // pipeline's own row, so a restart resumes with warm baselines instead of re-learning.
  `CREATE TABLE detector_state (
     key TEXT PRIMARY KEY,
     updated_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );`,
  // Knowledge (src/incidents/knowledge.ts): one row per resolved incident episode with its
  // cause, actions and outcome, searched for similar past incidents and runbooks that worked.
  `CREATE TABLE knowledge (
     id TEXT PRIMARY KEY,
     incident_id TEXT NOT NULL,
     resolved_at INTEGER NOT NULL,
     signature TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX knowledge_signature ON knowledge(signature);`,
  // Action runs (src/act/runs): the executor writes a run's phase, target and snapshot BEFORE
  // each step, so a restarted process resumes or rolls back every interrupted run.
  `CREATE TABLE action_runs (
     id TEXT PRIMARY KEY,
     runbook TEXT NOT NULL,
     finding_id TEXT NOT NULL,
     status TEXT NOT NULL,
     step INTEGER NOT NULL,
     target_index INTEGER NOT NULL,
     phase TEXT NOT NULL,
     snapshot TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX action_runs_status ON action_runs(status);`,
];

export type Db = DatabaseSync;

/** Opens (or creates) a database file, or ":memory:", and migrates it to the latest schema. */
export function openDb(path = ":memory:"): Db {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  for (let v = row.user_version; v < MIGRATIONS.length; v++) {
    db.exec("BEGIN");
    try {
      db.exec(MIGRATIONS[v] as string);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  }
}

export function schemaVersion(db: Db): number {
  return (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
}
