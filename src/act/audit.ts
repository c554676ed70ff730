/**
 * The audit log: append-only, hash-chained records. Each record's hash is
 * sha256(previous hash + canonical JSON of the record), so changing, removing or reordering
 * any record breaks every later hash and `verify()` reports where.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { newId } from "../core/ids.ts";
import { redactObject } from "../core/redact.ts";
import type { Db } from "../store/sqlite.ts";

export interface AuditEntry {
  actor: string;
  action: string;
  target?: unknown;
  why?: string;
  verdict?: { allowed: boolean; reasons: string[] };
  result: string;
  details?: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  seq: number;
  time: number;
  prevHash: string;
  hash: string;
}

export type AuditVerification =
  | { ok: true; count: number }
  | { ok: false; seq: number; reason: string };

const GENESIS = "0".repeat(64);

/** JSON with object keys sorted at every level, so equal records hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function chainHash(prevHash: string, body: string): string {
  return createHash("sha256").update(prevHash).update(body).digest("hex");
}

interface Row {
  seq: number;
  id: string;
  time: number;
  body: string;
  prev_hash: string;
  hash: string;
}

export class AuditLog {
  private readonly db: Db;
  private readonly clock: Clock;
  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Appends a record; secrets in any field are redacted first, so none is ever stored. */
  append(raw: AuditEntry): AuditRecord {
    const entry = redactObject(raw);
    const last = this.db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as
      | { seq: number; hash: string }
      | undefined;
    const seq = (last?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS;
    const id = newId();
    const time = this.clock.now();
    const body = canonicalJson({ ...entry, id, seq, time });
    const hash = chainHash(prevHash, body);
    this.db
      .prepare("INSERT INTO audit (seq, id, time, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)")
      .run(seq, id, time, body, prevHash, hash);
    return { ...entry, id, seq, time, prevHash, hash };
  }

  list(opts: { limit?: number } = {}): AuditRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM audit ORDER BY seq DESC LIMIT ?")
      .all(opts.limit ?? 100) as unknown as Row[];
    return rows.reverse().map(toRecord);
  }

  /**
   * Every record, oldest first, as JSON lines (one record per line, with its seq, prevHash and
   * hash so a copy can be verified elsewhere). Reads in pages to keep memory flat.
   */
  *exportLines(opts: { since?: number } = {}): Generator<string> {
    const page = this.db.prepare("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT 500");
    let after = 0;
    for (;;) {
      const rows = page.all(after) as unknown as Row[];
      for (const r of rows) {
        const rec = toRecord(r);
        if (opts.since === undefined || rec.time >= opts.since) yield canonicalJson(rec);
      }
      const last = rows.at(-1);
      if (!last) return;
      after = last.seq;
    }
  }

  /** Recomputes the chain from the first record; the first mismatch is reported. */
  verify(): AuditVerification {
    const rows = this.db.prepare("SELECT * FROM audit ORDER BY seq").all() as unknown as Row[];
    let prev = GENESIS;
    let expectedSeq = 1;
    for (const r of rows) {
      if (r.seq !== expectedSeq)
        return { ok: false, seq: r.seq, reason: `record ${expectedSeq} is missing` };
      if (r.prev_hash !== prev)
        return { ok: false, seq: r.seq, reason: "previous hash does not match" };
      if (chainHash(prev, r.body) !== r.hash)
        return { ok: false, seq: r.seq, reason: "record content was altered" };
      const body = JSON.parse(r.body) as { seq?: number; id?: string };
      if (body.seq !== r.seq || body.id !== r.id)
        return { ok: false, seq: r.seq, reason: "record identity was altered" };
      prev = r.hash;
      expectedSeq++;
    }
    return { ok: true, count: rows.length };
  }
}

function toRecord(r: Row): AuditRecord {
  const body = JSON.parse(r.body) as AuditEntry & { id: string; seq: number; time: number };
  return { ...body, prevHash: r.prev_hash, hash: r.hash };
}
