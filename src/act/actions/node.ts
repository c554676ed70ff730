/**
 * Node actions: cordon/uncordon (`spec.unschedulable`, what `kubectl cordon` patches), taints,
 * and a custom node condition written to `nodes/status` (predictive isolation publishes
 * `opsloop.dev/PredictedFailure` there; a NodeReadinessRule turns it into a taint).
 */
import type { V1Node, V1NodeCondition, V1Taint } from "@kubernetes/client-node";
import { z } from "zod";
import { isoTime } from "../../core/clock.ts";
import type { ObjectRef } from "../../core/types.ts";
import { TAINT_PREFIX } from "../node-readiness/types.ts";
import { FIELD_MANAGER, mergePatch, plain, strategic } from "./kube.ts";
import { type ActionContext, DRY, defineAction } from "./types.ts";

export const readNode = (ctx: ActionContext, t: ObjectRef) =>
  ctx.kube.core.readNode({ name: t.name });

export const patchNode = (ctx: ActionContext, t: ObjectRef, body: object, dryRun: boolean) =>
  ctx.kube.core.patchNode(
    { name: t.name, body, dryRun: DRY(dryRun), fieldManager: FIELD_MANAGER },
    strategic(),
  );

/** Out of the pool already: cordoned, not Ready, or tainted away by a NodeReadinessRule. */
const outOfPool = (n: V1Node) =>
  n.spec?.unschedulable === true ||
  n.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True" ||
  (n.spec?.taints ?? []).some(
    (t) => t.effect !== "PreferNoSchedule" && t.key.startsWith(TAINT_PREFIX),
  );

/** Share of the nodes out of the pool if `name` goes out too. */
export async function poolShare(ctx: ActionContext, name: string): Promise<number> {
  const nodes = (await ctx.kube.core.listNode()).items;
  if (!nodes.length) return 1;
  return nodes.filter((n) => outOfPool(n) || n.metadata?.name === name).length / nodes.length;
}

const nodeBlast = async (ctx: ActionContext, t: ObjectRef) => ({
  pods: 0,
  nodes: 1,
  poolUnavailableRatio: await poolShare(ctx, t.name),
});

const setUnschedulable = (value: boolean) =>
  defineAction({
    name: value ? "cordon" : "uncordon",
    kinds: ["Node"],
    params: z.object({}).strict(),
    reversible: true,
    blast: (ctx, t) => (value ? nodeBlast(ctx, t) : Promise.resolve({ pods: 0, nodes: 0 })),
    async snapshot(ctx, t) {
      return { unschedulable: (await readNode(ctx, t)).spec?.unschedulable ?? false };
    },
    async change(ctx, t, _p, _s, dryRun) {
      await patchNode(ctx, t, { spec: { unschedulable: value } }, dryRun);
      return `${value ? "cordoned" : "uncordoned"} node ${t.name}`;
    },
    async check(ctx, t) {
      const now = (await readNode(ctx, t)).spec?.unschedulable ?? false;
      return { done: now === value, message: `spec.unschedulable=${now}` };
    },
    async rollback(ctx, t, _p, snap) {
      const unschedulable = (snap as { unschedulable: boolean }).unschedulable;
      // null removes the field, as `kubectl uncordon` leaves it.
      await patchNode(ctx, t, { spec: { unschedulable: unschedulable || null } }, false);
      return `restored spec.unschedulable=${unschedulable}`;
    },
  });

export const cordon = setUnschedulable(true);
export const uncordon = setUnschedulable(false);

const TaintParams = z
  .object({
    key: z.string().min(1),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).default("NoSchedule"),
  })
  .strict();

const sameTaint = (a: V1Taint, b: { key: string; effect: string }) =>
  a.key === b.key && a.effect === b.effect;

export const taintNode = defineAction({
  name: "taint-node",
  kinds: ["Node"],
  params: TaintParams,
  reversible: true,
  blast: (ctx, t) => nodeBlast(ctx, t),
  async snapshot(ctx, t) {
    return { taints: plain((await readNode(ctx, t)).spec?.taints ?? []) };
  },
  async change(ctx, t, p, snap, dryRun) {
    const taints = (snap as { taints: V1Taint[] }).taints.filter((x) => !sameTaint(x, p));
    taints.push({ key: p.key, value: p.value, effect: p.effect, timeAdded: undefined });
    // taints have no merge key: a JSON merge patch replaces the whole list, as kubectl taint does.
    await ctx.kube.core.patchNode(
      {
        name: t.name,
        body: { spec: { taints } },
        dryRun: DRY(dryRun),
        fieldManager: FIELD_MANAGER,
      },
      mergePatch(),
    );
    return `tainted ${t.name} with ${p.key}${p.value ? `=${p.value}` : ""}:${p.effect}`;
  },
  async check(ctx, t, p) {
    const has = ((await readNode(ctx, t)).spec?.taints ?? []).some((x) => sameTaint(x, p));
    return { done: has, message: has ? `taint ${p.key} present` : `taint ${p.key} missing` };
  },
  async rollback(ctx, t, _p, snap) {
    const taints = (snap as { taints: V1Taint[] }).taints;
    await ctx.kube.core.patchNode(
      {
        name: t.name,
        body: { spec: { taints: taints.length ? taints : null } },
        fieldManager: FIELD_MANAGER,
      },
      mergePatch(),
    );
    return `restored ${taints.length} taints`;
  },
});

const ConditionParams = z
  .object({
    type: z.string().min(1),
    status: z.enum(["True", "False", "Unknown"]).default("True"),
    reason: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .default("OpsloopPrediction"),
    message: z.string().default(""),
  })
  .strict();

const condPatch = (conditions: V1NodeCondition[]) => ({ status: { conditions } });

export const setNodeCondition = defineAction({
  name: "set-node-condition",
  kinds: ["Node"],
  params: ConditionParams,
  reversible: true,
  // A condition can isolate the node (a NodeReadinessRule taints on it, as for predicted
  // failures): setting one counts as touching the node; clearing one releases it.
  blast: (ctx, t, p) =>
    p.status === "False" ? Promise.resolve({ pods: 0, nodes: 0 }) : nodeBlast(ctx, t),
  async snapshot(ctx, t, p) {
    const prev = ((await readNode(ctx, t)).status?.conditions ?? []).find((c) => c.type === p.type);
    return { previous: prev ? plain(prev) : null };
  },
  async change(ctx, t, p, _s, dryRun) {
    const now = isoTime(ctx.clock.now());
    const cond = { ...p, lastHeartbeatTime: now, lastTransitionTime: now };
    // conditions merge by `type` under a strategic-merge patch of nodes/status.
    await ctx.kube.core.patchNodeStatus(
      {
        name: t.name,
        body: condPatch([cond as unknown as V1NodeCondition]),
        dryRun: DRY(dryRun),
        fieldManager: FIELD_MANAGER,
      },
      strategic(),
    );
    return `set condition ${p.type}=${p.status} (${p.reason}) on ${t.name}`;
  },
  async check(ctx, t, p) {
    const c = ((await readNode(ctx, t)).status?.conditions ?? []).find((x) => x.type === p.type);
    return { done: c?.status === p.status, message: `${p.type}=${c?.status ?? "absent"}` };
  },
  async rollback(ctx, t, p, snap) {
    const prev = (snap as { previous: V1NodeCondition | null }).previous;
    const body = prev
      ? condPatch([prev])
      : { status: { conditions: [{ type: p.type, $patch: "delete" }] } };
    await ctx.kube.core.patchNodeStatus(
      { name: t.name, body, fieldManager: FIELD_MANAGER },
      strategic(),
    );
    return prev ? `restored condition ${p.type}=${prev.status}` : `removed condition ${p.type}`;
  },
});
