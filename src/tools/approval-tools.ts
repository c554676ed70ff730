/**
 * Human-in-the-loop tools: list held actions, approve or reject them. Approving through a tool
 * (MCP, HTTP, an LLM client) always needs the one-time token handed to the human who was asked,
 * so a model cannot approve its own proposal by id alone.
 */
import { z } from "zod";
import type { ApprovalStore } from "../act/approvals/store.ts";
import { OpsloopError } from "../core/errors.ts";
import { pageOf } from "./budget.ts";
import type { ToolContext } from "./context.ts";
import { defineTool, type Tool } from "./registry.ts";
import { ObjectRefSchema, PageInput, PageOutput } from "./schemas.ts";

const StatusSchema = z.enum(["pending", "approved", "rejected", "expired"]);

export const ApprovalSchema = z.object({
  id: z.string(),
  runId: z.string(),
  status: StatusSchema,
  action: z.string(),
  target: ObjectRefSchema,
  summary: z.string(),
  reasons: z.array(z.string()),
  runbook: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number(),
  decidedAt: z.number().optional(),
  decidedBy: z.string().optional(),
  decisionReason: z.string().optional(),
});

function store(ctx: ToolContext): ApprovalStore {
  if (!ctx.approvals) throw new OpsloopError("unavailable", "no approval store is configured");
  return ctx.approvals;
}

const WRITE = { readOnly: false, destructive: true, idempotent: false, openWorld: true };

const listApprovals = defineTool({
  name: "list_approvals",
  title: "List approvals",
  description:
    "Actions the guardrails hold until a human approves them, with their status and reasons.",
  input: z.object({ status: StatusSchema.optional(), ...PageInput }).strict(),
  output: z.object({ approvals: z.array(ApprovalSchema), ...PageOutput }),
  annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  run: async (ctx, input) => {
    // The store keeps its newest `limit` rows before filtering by status (default 100): ask for
    // enough that an old pending request is not hidden behind newer decided ones.
    const all = store(ctx).list({
      limit: 10_000,
      ...(input.status ? { status: input.status } : {}),
    });
    const { items, ...page } = pageOf(all, input);
    return { approvals: items, ...page };
  },
});

const approveAction = defineTool({
  name: "approve_action",
  title: "Approve action",
  description:
    "Approves a held action; the agent then applies it within the guardrails. Needs the one-time token given to the human who was asked, unless the user confirms this call in the client (MCP elicitation).",
  input: z
    .object({
      id: z.string(),
      token: z.string().min(1).optional(),
      actor: z.string().default("tool-client"),
    })
    .strict(),
  output: z.object({ approval: ApprovalSchema }),
  annotations: WRITE,
  run: async (ctx, input) => ({
    approval: store(ctx).approve(input.id, {
      actor: input.actor,
      ...(input.token ? { token: input.token } : {}),
      requireToken: ctx.humanConfirmed !== true,
    }),
  }),
});

const rejectAction = defineTool({
  name: "reject_action",
  title: "Reject action",
  description: "Rejects a held action with a reason; it is never applied.",
  input: z
    .object({
      id: z.string(),
      reason: z.string().min(1),
      token: z.string().min(1).optional(),
      actor: z.string().default("tool-client"),
    })
    .strict(),
  output: z.object({ approval: ApprovalSchema }),
  annotations: { ...WRITE, destructive: false },
  run: async (ctx, input) => ({
    approval: store(ctx).reject(input.id, {
      actor: input.actor,
      reason: input.reason,
      ...(input.token ? { token: input.token } : {}),
    }),
  }),
});

export const APPROVAL_TOOLS: Tool[] = [listApprovals, approveAction, rejectAction] as Tool[];
