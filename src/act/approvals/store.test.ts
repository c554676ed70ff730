import { describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import { openDb } from "../../store/sqlite.ts";
import { AuditLog } from "../audit.ts";
import { type Approval, ApprovalStore } from "./store.ts";

const node = { kind: "Node", name: "worker-2" };

function setup(ttlMs = 60_000) {
  const db = openDb(":memory:");
  const clock = new FixedClock();
  const audit = new AuditLog(db, clock);
  const store = new ApprovalStore({ db, audit, clock, ttlMs });
  const request = {
    runId: "run-1",
    action: "drain",
    target: node,
    summary: "drain node worker-2: evict 7 pods",
    reasons: ["disruptive-needs-approval: draining needs a human"],
  };
  return { db, clock, audit, store, request };
}

describe("approval store", () => {
  it("stores only a hash of the one-time token and accepts it exactly once", () => {
    const { db, store, request, audit } = setup();
    const { approval, token } = store.create(request);
    expect(approval.status).toBe("pending");
    const raw = JSON.stringify(db.prepare("SELECT * FROM approvals").all());
    expect(raw).not.toContain(token);
    expect(() => store.approve(approval.id, { actor: "alice", token: "wrong" })).toThrow(
      /token is wrong/,
    );
    const approved = store.approve(approval.id, { actor: "alice", token, requireToken: true });
    expect(approved).toMatchObject({ status: "approved", decidedBy: "alice" });
    expect(() => store.approve(approval.id, { actor: "bob", token })).toThrow(/is approved/);
    expect(audit.list().map((r) => [r.action, r.result, r.actor])).toEqual([
      ["approval-requested", "pending", "opsloop/agent"],
      ["approval-approved", "approved", "alice"],
    ]);
    expect(audit.verify().ok).toBe(true);
  });

  it("requires the token when asked to and rejects with a reason", () => {
    const { store, request } = setup();
    const { approval } = store.create(request);
    expect(() => store.approve(approval.id, { actor: "mcp", requireToken: true })).toThrow(/token/);
    const rejected = store.reject(approval.id, { actor: "bob", reason: "peak traffic" });
    expect(rejected).toMatchObject({ status: "rejected", decisionReason: "peak traffic" });
    expect(store.list({ status: "pending" })).toEqual([]);
  });

  it("expires a pending request after its time to live, and audits the expiry once", () => {
    const { store, request, clock, audit } = setup(60_000);
    const { approval, token } = store.create(request);
    clock.advance(60_000);
    expect(store.get(approval.id)?.status).toBe("expired");
    expect(() => store.approve(approval.id, { actor: "alice", token })).toThrow(/is expired/);
    const seen: string[] = [];
    store.onDecision((a) => seen.push(`${a.id}:${a.status}`));
    expect(store.expireDue().map((a) => a.id)).toEqual([approval.id]);
    expect(store.expireDue()).toEqual([]);
    expect(seen).toEqual([`${approval.id}:expired`]);
    expect(audit.list().map((r) => [r.action, r.actor])).toEqual([
      ["approval-requested", "opsloop/agent"],
      ["approval-expired", "opsloop/approvals"],
    ]);
  });

  it("finds a run's pending request so a re-planned run does not ask twice", () => {
    const { store, request, clock } = setup(60_000);
    const { approval } = store.create(request);
    expect(store.pendingFor("run-1")?.id).toBe(approval.id);
    expect(store.pendingFor("run-2")).toBeUndefined();
    clock.advance(60_000);
    expect(store.pendingFor("run-1")).toBeUndefined();
  });

  it("tells same-process listeners about each decision", () => {
    const { store, request } = setup();
    const seen: Approval[] = [];
    const off = store.onDecision((a) => seen.push(a));
    store.approve(store.create(request).approval.id, { actor: "alice" });
    off();
    store.reject(store.create(request).approval.id, { actor: "bob", reason: "no" });
    expect(seen.map((a) => a.status)).toEqual(["approved"]);
  });

  it("redacts secrets in the plan summary before storing it", () => {
    const { db, store, request } = setup();
    store.create({ ...request, summary: "set AWS_SECRET_ACCESS_KEY=abcdEFGH1234 on worker" });
    expect(JSON.stringify(db.prepare("SELECT body FROM approvals").all())).not.toContain(
      "abcdEFGH1234",
    );
  });
});
