/**
 * Deployment actions: rollout restart (kubectl's restartedAt annotation), scale and a bounded
 * memory-limit raise. Each rolls back by restoring exactly the fields it changed, and verifies
 * like `kubectl rollout status`.
 */
import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { z } from "zod";
import { isoTime } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";
import { formatBytes, parseQuantity } from "../../sim/quantity.ts";
import { RESTARTED_AT, restartPatch, rolloutState } from "../cluster-actions.ts";
import { FIELD_MANAGER, plain, strategic } from "./kube.ts";
import { type ActionContext, DRY, defineAction, ns } from "./types.ts";

export const readDeployment = (ctx: ActionContext, t: ObjectRef) =>
  ctx.kube.apps.readNamespacedDeployment({ namespace: ns(t), name: t.name });

export const patchDeployment = (
  ctx: ActionContext,
  t: ObjectRef,
  body: object,
  dryRun: boolean,
): Promise<V1Deployment> =>
  ctx.kube.apps.patchNamespacedDeployment(
    { namespace: ns(t), name: t.name, body, dryRun: DRY(dryRun), fieldManager: FIELD_MANAGER },
    strategic(),
  );

export const rolloutCheck = async (ctx: ActionContext, t: ObjectRef) =>
  rolloutState(await readDeployment(ctx, t));

/** A rollout replaces pods under the Deployment's own maxUnavailable: at most that share is down. */
async function rolloutBlast(ctx: ActionContext, t: ObjectRef) {
  const d = await readDeployment(ctx, t);
  const replicas = d.spec?.replicas ?? 1;
  const mu = d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? "25%";
  const down = typeof mu === "number" ? mu : Math.floor((replicas * Number.parseFloat(mu)) / 100);
  return { pods: replicas, nodes: 0, workloadUnavailableRatio: replicas ? down / replicas : 0 };
}

export const rolloutRestart = defineAction({
  name: "rollout-restart",
  kinds: ["Deployment"],
  params: z.object({}).strict(),
  reversible: true,
  blast: (ctx, t) => rolloutBlast(ctx, t),
  async snapshot(ctx, t) {
    const d = await readDeployment(ctx, t);
    return { restartedAt: d.spec?.template?.metadata?.annotations?.[RESTARTED_AT] ?? null };
  },
  async change(ctx, t, _p, _s, dryRun) {
    const at = isoTime(ctx.clock.now());
    await patchDeployment(ctx, t, restartPatch(at), dryRun);
    return `set ${RESTARTED_AT}=${at}`;
  },
  check: (ctx, t) => rolloutCheck(ctx, t),
  async rollback(ctx, t, _p, snap) {
    // The previous annotation means the previous pod template, so the controller scales the
    // old ReplicaSet back up, as `kubectl rollout undo` would.
    const prev = (snap as { restartedAt: string | null }).restartedAt;
    await patchDeployment(ctx, t, restartPatch(prev), false);
    return prev ? `restored ${RESTARTED_AT}=${prev}` : `removed ${RESTARTED_AT}`;
  },
});

const ScaleParams = z
  .object({
    replicas: z.number().int().min(0).optional(),
    /** Multiply the current replicas (rounded up), e.g. 2 to double before a surge. */
    factor: z.number().positive().max(10).optional(),
    /** Never scale above this many replicas. */
    max: z.number().int().positive().default(20),
  })
  .strict()
  .refine((p) => (p.replicas === undefined) !== (p.factor === undefined), {
    message: "give exactly one of replicas or factor",
  });

function desiredReplicas(current: number, p: z.infer<typeof ScaleParams>): number {
  const want = p.replicas ?? Math.ceil(current * (p.factor ?? 1));
  return Math.min(want, p.max);
}

export const scale = defineAction({
  name: "scale",
  kinds: ["Deployment"],
  params: ScaleParams,
  reversible: true,
  async blast(ctx, t, p) {
    const cur = (await readDeployment(ctx, t)).spec?.replicas ?? 1;
    const want = desiredReplicas(cur, p);
    // Scaling in removes pods; scaling out disrupts none.
    const removed = Math.max(0, cur - want);
    return { pods: removed, nodes: 0, workloadUnavailableRatio: cur ? removed / cur : 0 };
  },
  async snapshot(ctx, t) {
    return { replicas: (await readDeployment(ctx, t)).spec?.replicas ?? 1 };
  },
  async change(ctx, t, p, snap, dryRun) {
    const from = (snap as { replicas: number }).replicas;
    const to = desiredReplicas(from, p);
    await patchDeployment(ctx, t, { spec: { replicas: to } }, dryRun);
    return `scale from ${from} to ${to} replicas`;
  },
  check: (ctx, t) => rolloutCheck(ctx, t),
  async rollback(ctx, t, _p, snap) {
    const replicas = (snap as { replicas: number }).replicas;
    await patchDeployment(ctx, t, { spec: { replicas } }, false);
    return `scaled back to ${replicas} replicas`;
  },
});

const RaiseParams = z
  .object({
    factor: z.number().min(1.05).max(4).default(1.5),
    /** The limit is never raised above this quantity. */
    ceiling: z.string().default("2Gi"),
    /** Only this container; default every container that has a memory limit. */
    container: z.string().optional(),
  })
  .strict();

type Resources = Record<string, { limit?: string; request?: string }>;

function raised(c: V1Container, p: z.infer<typeof RaiseParams>): string | undefined {
  const limit = c.resources?.limits?.memory;
  if (!limit || (p.container && p.container !== c.name)) return undefined;
  const ceiling = parseQuantity(p.ceiling);
  const next = Math.min(Math.ceil((parseQuantity(limit) * p.factor) / 2 ** 20) * 2 ** 20, ceiling);
  return next > parseQuantity(limit) ? formatBytes(next) : undefined;
}

export const raiseMemoryLimit = defineAction({
  name: "raise-memory-limit",
  kinds: ["Deployment"],
  params: RaiseParams,
  reversible: true,
  blast: (ctx, t) => rolloutBlast(ctx, t),
  async snapshot(ctx, t) {
    const d = await readDeployment(ctx, t);
    const out: Resources = {};
    for (const c of d.spec?.template?.spec?.containers ?? [])
      out[c.name] = { limit: c.resources?.limits?.memory, request: c.resources?.requests?.memory };
    return out;
  },
  async change(ctx, t, p, _snap, dryRun) {
    const d = await readDeployment(ctx, t);
    const changes = (d.spec?.template?.spec?.containers ?? []).flatMap((c) => {
      const to = raised(c, p);
      return to ? [{ name: c.name, from: c.resources?.limits?.memory, to }] : [];
    });
    if (!changes.length)
      throw new OpsloopError(
        "conflict",
        `memory limits of ${t.name} are already at the ceiling ${p.ceiling} (or unset)`,
      );
    const containers = changes.map((c) => ({
      name: c.name,
      resources: { limits: { memory: c.to } },
    }));
    await patchDeployment(ctx, t, { spec: { template: { spec: { containers } } } }, dryRun);
    return changes.map((c) => `${c.name} memory limit ${c.from} → ${c.to}`).join(", ");
  },
  check: (ctx, t) => rolloutCheck(ctx, t),
  async rollback(ctx, t, _p, snap) {
    const containers = Object.entries(plain(snap as Resources))
      .filter(([, r]) => r.limit)
      .map(([name, r]) => ({ name, resources: { limits: { memory: r.limit } } }));
    await patchDeployment(ctx, t, { spec: { template: { spec: { containers } } } }, false);
    return `restored memory limits ${containers.map((c) => `${c.name}=${c.resources.limits.memory}`).join(", ")}`;
  },
});

/** A generic strategic-merge patch of a Deployment; rollback restores the previous spec. */
export const patch = defineAction({
  name: "patch",
  kinds: ["Deployment"],
  params: z.object({ patch: z.record(z.string(), z.unknown()) }).strict(),
  reversible: true,
  blast: (ctx, t) => rolloutBlast(ctx, t),
  async snapshot(ctx, t) {
    return { spec: plain((await readDeployment(ctx, t)).spec) };
  },
  async change(ctx, t, p, _s, dryRun) {
    await patchDeployment(ctx, t, p.patch, dryRun);
    return `patched ${Object.keys(p.patch).join(", ")}`;
  },
  check: (ctx, t) => rolloutCheck(ctx, t),
  async rollback(ctx, t, _p, snap) {
    const cur = await readDeployment(ctx, t);
    const body = { ...cur, spec: (snap as { spec: V1Deployment["spec"] }).spec };
    await ctx.kube.apps.replaceNamespacedDeployment({
      namespace: ns(t),
      name: t.name,
      body: body as V1Deployment,
      fieldManager: FIELD_MANAGER,
    });
    return "restored the previous spec";
  },
});
