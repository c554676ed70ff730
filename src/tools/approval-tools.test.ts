import { describe, expect, it } from "vitest";
import { ApprovalStore } from "../act/approvals/store.ts";
import { AuditLog } from "../act/audit.ts";
import { FixedClock } from "../core/clock.ts";
import { openDb } from "../store/sqlite.ts";
import type { ToolContext } from "./context.ts";
import { allTools, toolRegistry } from "./index.ts";

function setup() {
  const db = openDb();
  const clock = new FixedClock(1000);
  const audit = new AuditLog(db, clock);
  const approvals = new ApprovalStore({ db, audit, clock });
  // The approval tools read only these two parts of the context.
  const ctx = { audit, approvals, clock } as unknown as ToolContext;
  const held = approvals.create({
    runId: "run-1",
    action: "delete-pod",
    target: { kind: "Pod", namespace: "shop", name: "worker-0" },
    summary: "delete pod shop/worker-0",
    reasons: ["disruptive-needs-approval: needs a human"],
  });
  return { ctx, held, audit };
}

describe("approval tools", () => {
  it("are in allTools, and only list_approvals is offered without write access", () => {
    const names = allTools().map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["list_approvals", "approve_action", "reject_action"]),
    );
    const readOnly = toolRegistry({ allowWrite: false })
      .list()
      .map((t) => t.name);
    expect(readOnly).toContain("list_approvals");
    expect(readOnly).not.toContain("approve_action");
    expect(readOnly).not.toContain("reject_action");
  });

  it("approve_action needs the one-time token, and a used token is refused", async () => {
    const { ctx, held, audit } = setup();
    const reg = toolRegistry({ allowWrite: true });
    await expect(reg.call(ctx, "approve_action", { id: held.approval.id })).rejects.toThrow(
      /the token is wrong or already used/,
    );
    await expect(
      reg.call(ctx, "approve_action", { id: held.approval.id, token: "guess" }),
    ).rejects.toThrow(/token is wrong/);
    const ok = (await reg.call(ctx, "approve_action", {
      id: held.approval.id,
      token: held.token,
      actor: "alice@mcp",
    })) as { approval: { status: string; decidedBy: string } };
    expect(ok.approval).toMatchObject({ status: "approved", decidedBy: "alice@mcp" });
    await expect(
      reg.call(ctx, "approve_action", { id: held.approval.id, token: held.token }),
    ).rejects.toThrow(/is approved, not pending/);
    const listed = (await reg.call(ctx, "list_approvals", { status: "approved" })) as {
      approvals: unknown[];
    };
    expect(listed.approvals).toHaveLength(1);
    expect(audit.list().at(-1)).toMatchObject({ action: "approval-approved", actor: "alice@mcp" });
  });

  it("reject_action records the reason", async () => {
    const { ctx, held } = setup();
    const out = (await toolRegistry({ allowWrite: true }).call(ctx, "reject_action", {
      id: held.approval.id,
      reason: "customer demo in progress",
    })) as { approval: { status: string; decisionReason: string } };
    expect(out.approval).toMatchObject({
      status: "rejected",
      decisionReason: "customer demo in progress",
    });
  });
});
