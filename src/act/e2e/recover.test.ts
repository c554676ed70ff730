/**
 * recover() for runs a crash left in `verify` and in `pending_approval`: state written the way
 * the executor writes it before each phase, then a new executor picks it up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { parseRunbook } from "../runbook.ts";
import { RunStore } from "../runs/run-store.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
});
afterAll(async () => h.close());

const web = { kind: "Deployment", namespace: "shop", name: "web" };
const finding: Finding = {
  id: "s",
  kind: "prediction",
  severity: "warning",
  subject: web,
  affected: [],
  rootCause: "surge",
  reason: "TrafficSurge",
  evidence: [],
  confidence: 0.9,
  source: "forecast",
  time: 0,
};
// Verification that cannot pass: the interrupted change must be rolled back on recovery.
const SCALE = parseRunbook(
  `name: scale-check
description: Scale with a condition that fails.
trigger: { reasons: [TrafficSurge] }
steps: [{ action: scale, params: { replicas: 5 } }]
verification: { timeout: 30s, conditions: [{ expr: "object.spec.replicas == 100" }] }
`,
  "scale-check.yaml",
);

describe("recovering interrupted runs", () => {
  it("verifies a run stopped in verify, and rolls it back when verification fails", async () => {
    // The killed process had stored its snapshot and applied the change.
    h.cluster.store.mutate("deployments.apps", "shop", "web", (d) => {
      d.spec.replicas = 5;
    });
    const runs = new RunStore(h.db);
    const now = h.cluster.clock.now();
    runs.save({
      id: "run-verify",
      runbook: SCALE.name,
      finding,
      status: "running",
      step: 0,
      targetIndex: 0,
      phase: "verify",
      targets: [web],
      target: web,
      snapshot: { replicas: 3 },
      done: 0,
      createdAt: now,
      updatedAt: now,
      spec: SCALE,
    });
    const [r] = await h.executor().recover();
    expect(r).toMatchObject({
      runId: "run-verify",
      phase: "verify",
      actions: [{ result: "rolled_back" }],
    });
    expect(h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas).toBe(3);
    expect(runs.get("run-verify")).toMatchObject({ status: "rolled_back", phase: "done" });
    const trail = h.audit.list().map((x) => `${x.action}:${x.result}`);
    expect(trail).toEqual(["run-recovered:resuming", "scale:rolled_back"]);
    expect(await h.executor().recover()).toEqual([]);
  }, 60_000);

  it("keeps waiting on the same approval after a restart and applies once it is approved", async () => {
    const rb = parseRunbook(
      `name: undo-web
description: scaling that the test's policy holds for approval
trigger: { reasons: [TrafficSurge] }
steps: [{ action: scale, params: { replicas: 4 } }]
`,
      "undo-web.yaml",
    );
    const { approval } = h.approvals.create({
      runId: "run-approval",
      action: "scale",
      target: web,
      summary: "scale web",
      reasons: ["needs a human"],
    });
    const now = h.cluster.clock.now();
    new RunStore(h.db).save({
      id: "run-approval",
      runbook: rb.name,
      finding,
      status: "pending_approval",
      step: 0,
      targetIndex: 0,
      phase: "pending_approval",
      targets: [web],
      target: web,
      approvalId: approval.id,
      done: 0,
      createdAt: now,
      updatedAt: now,
      spec: rb,
    });
    h.approvals.approve(approval.id, { actor: "carol" });
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      rules: [
        ...DEFAULT_POLICY.rules,
        {
          name: "scale-approval",
          effect: "requireApproval",
          match: { actions: ["scale"] },
          reason: "scaling needs a human",
        },
      ],
    });
    const [r] = await h.executor({ policy, approvalPollMs: 1_000 }).recover();
    expect(r).toMatchObject({
      runId: "run-approval",
      actions: [
        {
          action: "scale",
          verdict: "allowed",
          result: "applied",
          reasons: ["approved by carol", "scale-approval: scaling needs a human"],
        },
      ],
    });
    // The approval given while the agent was down is the one used: no second request.
    expect(h.approvals.list()).toHaveLength(1);
    expect(h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas).toBe(4);
  }, 60_000);
});
