/**
 * Approvals: actions the guardrails let through only after a human said yes. The executor
 * calls `create()` when a verdict has `needsApproval`, stores the returned id with its run and
 * either polls `get(id)` (works across processes: the CLI may approve in another one) or
 * subscribes with `onDecision(cb)` (same process: HTTP, MCP, tools). On `approved` it evaluates
 * the policy again with `approvedBy: approval.decidedBy` and applies; on `rejected`/`expired`
 * it records the run as skipped.
 *
 * The one-time token (propose/confirm for MCP clients without elicitation) is 32 random bytes,
 * returned once by `create()`, stored only as its sha256 hash, compared in constant time and
 * cleared on the first decision, so it can never be replayed. Every decision is audited.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import { redactObject } from "../../core/redact.ts";
import type { ObjectRef } from "../../core/types.ts";
import type { Db } from "../../store/sqlite.ts";
import type { AuditLog } from "../audit.ts";

export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired";

export interface ApprovalRequest {
  runId: string;
  action: string;
  target: ObjectRef;
  /** One-line plan summary a human can judge ("drain node worker-2: evict 7 pods"). */
  summary: string;
  /** The verdict's reasons: which rules require approval. */
  reasons: string[];
  runbook?: string;
}

export interface Approval extends ApprovalRequest {
  id: string;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  decidedAt?: number;
  decidedBy?: string;
  decisionReason?: string;
}

export type DecisionListener = (approval: Approval) => void;

interface Row {
  id: string;
  run_id: string;
  status: string;
  created_at: number;
  expires_at: number;
  token_hash: string | null;
  decided_at: number | null;
  decided_by: string | null;
  body: string;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

function tokenMatches(token: string, storedHash: string | null): boolean {
  if (!storedHash) return false;
  const a = Buffer.from(hashToken(token), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface ApprovalStoreOptions {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  /** How long a request stays approvable (default one hour). */
  ttlMs?: number;
}

export class ApprovalStore {
  private readonly db: Db;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly listeners = new Set<DecisionListener>();

  constructor(opts: ApprovalStoreOptions) {
    this.db = opts.db;
    this.audit = opts.audit;
    this.clock = opts.clock;
    this.ttlMs = opts.ttlMs ?? 3_600_000;
  }

  /** Records a pending approval; the token is returned here once and never again. */
  create(req: ApprovalRequest): { approval: Approval; token: string } {
    const clean = redactObject(req);
    const id = newId();
    const token = randomBytes(32).toString("base64url");
    const now = this.clock.now();
    const body = JSON.stringify(clean);
    this.db
      .prepare(
        "INSERT INTO approvals (id, run_id, status, created_at, expires_at, token_hash, body) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
      )
      .run(id, clean.runId, now, now + this.ttlMs, hashToken(token), body);
    this.audit.append({
      actor: "opsloop/agent",
      action: "approval-requested",
      target: clean.target,
      why: clean.summary,
      result: "pending",
      details: { approvalId: id, runId: clean.runId, action: clean.action, reasons: clean.reasons },
    });
    return { approval: this.mustGet(id), token };
  }

  /** The approval with its current status (`expired` once past its deadline while pending). */
  get(id: string): Approval | undefined {
    const row = this.db.prepare("SELECT * FROM approvals WHERE id = ?").get(id) as Row | undefined;
    return row && this.toApproval(row);
  }

  /** The undecided, unexpired request of a run, so a re-planned run does not ask twice. */
  pendingFor(runId: string): Approval | undefined {
    const rows = this.db
      .prepare(
        "SELECT * FROM approvals WHERE run_id = ? AND status = 'pending' ORDER BY created_at DESC",
      )
      .all(runId) as unknown as Row[];
    return rows.map((r) => this.toApproval(r)).find((a) => a.status === "pending");
  }

  list(opts: { status?: ApprovalStatus; limit?: number } = {}): Approval[] {
    const rows = this.db
      .prepare("SELECT * FROM approvals ORDER BY created_at DESC, id LIMIT ?")
      .all(opts.limit ?? 100) as unknown as Row[];
    const all = rows.map((r) => this.toApproval(r));
    return opts.status ? all.filter((a) => a.status === opts.status) : all;
  }

  /**
   * Approves a pending request. With `requireToken` (MCP, HTTP) the one-time token must match;
   * the CLI, run by an operator with the database in hand, may approve by id alone.
   */
  approve(id: string, opts: { actor: string; token?: string; requireToken?: boolean }): Approval {
    const row = this.pendingRow(id);
    if (opts.token !== undefined || opts.requireToken) {
      if (!opts.token || !tokenMatches(opts.token, row.token_hash))
        throw new OpsloopError("denied", `approval ${id}: the token is wrong or already used`);
    }
    return this.decide(row, "approved", opts.actor, undefined);
  }

  reject(id: string, opts: { actor: string; reason: string; token?: string }): Approval {
    const row = this.pendingRow(id);
    if (opts.token !== undefined && !tokenMatches(opts.token, row.token_hash))
      throw new OpsloopError("denied", `approval ${id}: the token is wrong or already used`);
    return this.decide(row, "rejected", opts.actor, opts.reason);
  }

  /**
   * Marks pending requests past their deadline as expired, audits each and tells listeners.
   * Call it on the agent's tick; reads already report such requests as expired meanwhile.
   */
  expireDue(): Approval[] {
    const now = this.clock.now();
    const rows = this.db
      .prepare(
        "SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY created_at",
      )
      .all(now) as unknown as Row[];
    const out: Approval[] = [];
    for (const row of rows) {
      const res = this.db
        .prepare(
          "UPDATE approvals SET status = 'expired', decided_at = ?, decided_by = 'opsloop/approvals', token_hash = NULL WHERE id = ? AND status = 'pending'",
        )
        .run(now, row.id);
      if (Number(res.changes) !== 1) continue;
      const body = JSON.parse(row.body) as ApprovalRequest;
      this.audit.append({
        actor: "opsloop/approvals",
        action: "approval-expired",
        target: body.target,
        why: `nobody decided within ${Math.round(this.ttlMs / 60_000)} min`,
        result: "expired",
        details: { approvalId: row.id, runId: body.runId, action: body.action },
      });
      const approval = this.mustGet(row.id);
      for (const cb of this.listeners) cb(approval);
      out.push(approval);
    }
    return out;
  }

  /** Same-process notification of every decision; returns an unsubscribe function. */
  onDecision(cb: DecisionListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private pendingRow(id: string): Row {
    const row = this.db.prepare("SELECT * FROM approvals WHERE id = ?").get(id) as Row | undefined;
    if (!row) throw new OpsloopError("not_found", `no approval ${id}`);
    const status = this.toApproval(row).status;
    if (status !== "pending")
      throw new OpsloopError("conflict", `approval ${id} is ${status}, not pending`);
    return row;
  }

  private decide(row: Row, status: "approved" | "rejected", actor: string, reason?: string) {
    const now = this.clock.now();
    const body = { ...(JSON.parse(row.body) as ApprovalRequest), decisionReason: reason };
    // The status guard makes a concurrent second decision a no-op we can detect.
    const res = this.db
      .prepare(
        "UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, token_hash = NULL, body = ? WHERE id = ? AND status = 'pending'",
      )
      .run(status, now, actor, JSON.stringify(redactObject(body)), row.id);
    if (Number(res.changes) !== 1)
      throw new OpsloopError("conflict", `approval ${row.id} was decided concurrently`);
    this.audit.append({
      actor,
      action: `approval-${status}`,
      target: body.target,
      why: reason ?? body.summary,
      result: status,
      details: { approvalId: row.id, runId: body.runId, action: body.action },
    });
    const approval = this.mustGet(row.id);
    for (const cb of this.listeners) cb(approval);
    return approval;
  }

  private mustGet(id: string): Approval {
    const a = this.get(id);
    if (!a) throw new OpsloopError("internal", `approval ${id} vanished`);
    return a;
  }

  private toApproval(r: Row): Approval {
    const body = JSON.parse(r.body) as ApprovalRequest & { decisionReason?: string };
    const expired = r.status === "pending" && this.clock.now() >= r.expires_at;
    return {
      ...body,
      id: r.id,
      status: expired ? "expired" : (r.status as ApprovalStatus),
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      ...(r.decided_at !== null ? { decidedAt: r.decided_at } : {}),
      ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}),
    };
  }
}
