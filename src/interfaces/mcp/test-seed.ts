/**
 * Test support: what the MCP fixture stores before any tool runs: a resolved and a recurring
 * incident about Deployment default/web whose evidence quotes the worker's secret-bearing log
 * line, an incident the guardrails will refuse to remediate, and two held approvals with the
 * one-time tokens a notifier would have handed to a human. Never used by production code.
 */
import { join } from "node:path";
import { ApprovalStore } from "../../act/approvals/store.ts";
import { AuditLog } from "../../act/audit.ts";
import { FixedClock } from "../../core/clock.ts";
import type { Finding, ObjectRef } from "../../core/types.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { openDb } from "../../store/sqlite.ts";

/** A log line the fixture's worker pod writes before it crashes. */
export const BEARER_LINE = "calling upstream with Authorization: Bearer PLANTEDbearerTOKEN123";
const WEB: ObjectRef = { kind: "Deployment", namespace: "default", name: "web" };
/** Guardrails deny every action in kube-system: execute_remediation on it is audited, never applied. */
const GUARDED: ObjectRef = { kind: "Deployment", namespace: "kube-system", name: "coredns" };

function crashFinding(
  id: string,
  subject: ObjectRef,
  time: number,
  reason = "CrashLoopBackOff",
): Finding {
  return {
    id,
    kind: "problem",
    severity: "critical",
    subject,
    affected: [],
    rootCause: `${subject.name} exits with code 2 after its upstream refused the call`,
    reason,
    // The evidence quotes the crashing container's log as written: the bearer token included.
    evidence: [{ type: "log", text: BEARER_LINE }],
    confidence: 0.9,
    source: "test-fixture",
    time,
  };
}

/** Ids of what seedStore wrote, and the one-time approval tokens a notifier would have handed out. */
export interface Seeded {
  /** Resolved (web was OOMKilled three hours ago): what search_incidents finds. */
  past: string;
  /** Open, about Deployment default/web; bad-rollout-undo matches it. */
  open: string;
  /** Open, about a kube-system Deployment: the guardrails deny its remediation. */
  guarded: string;
  toApprove: { id: string; token: string };
  toReject: { id: string };
}

/** Writes a past (resolved) and an open incident for web, one for kube-system, and two held approvals. */
export function seedStore(
  incidents: IncidentManager,
  approvals: ApprovalStore,
  now: number,
): Seeded {
  const hour = 3_600_000;
  const old = crashFinding("f-web-old", WEB, now - 3 * hour, "OOMKilled");
  const [past] = incidents.ingest([old], now - 3 * hour);
  incidents.sweep(now - 2 * hour);
  const [open] = incidents.ingest([crashFinding("f-web", WEB, now - 60_000)], now - 60_000);
  const [guarded] = incidents.ingest([crashFinding("f-dns", GUARDED, now)], now);
  const held = (name: string) =>
    approvals.create({
      runId: `run-${name}`,
      action: "rollout-undo",
      target: WEB,
      runbook: "bad-rollout-undo",
      summary: `rollout-undo on Deployment default/web (${name})`,
      reasons: ["disruptive-needs-approval: rolling back needs a human's approval"],
    });
  const a = held("approve-me");
  const r = held("reject-me");
  if (!past || !open || !guarded) throw new Error("seeding made no incident");
  return {
    past: past.incident.id,
    open: open.incident.id,
    guarded: guarded.incident.id,
    toApprove: { id: a.approval.id, token: a.token },
    toReject: { id: r.approval.id },
  };
}

/** A SQLite file seeded like the fixture's own store (wall-clock times), for a child `opsloop mcp --db`. */
export function seededDbFile(dir: string): { path: string; seeded: Seeded } {
  const path = join(dir, `seeded-${Date.now()}-${Math.random().toString(36).slice(2)}.db`);
  const db = openDb(path);
  const clock = new FixedClock(Date.now());
  const seeded = seedStore(
    new IncidentManager(db),
    new ApprovalStore({ db, audit: new AuditLog(db, clock), clock }),
    clock.now(),
  );
  db.close();
  return { path, seeded };
}
