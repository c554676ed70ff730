/**
 * Replicas for a forecast surge on a Deployment without an HPA (src/forecast/surge-predictions.ts):
 * `scale-out-for-surge` multiplies the replicas (capped) and records, on the Deployment, the
 * count before it, the count set and when it may be undone (the episode's end the run's
 * `TrafficSurge` finding carries, plus a cool-down); `scale-in-after-surge` puts the recorded
 * count back once that time has passed, never below it. A count a human changed in between is
 * theirs: only the annotations go. Mirrors the HPA floor pair (hpa-floor.ts).
 */
import type { V1Deployment } from "@kubernetes/client-node";
import { z } from "zod";
import { isoTime } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";
import { SURGE_BASELINE, SURGE_REPLICAS, SURGE_UNTIL } from "../../forecast/surge-predictions.ts";
import { patchDeployment, readDeployment, rolloutCheck } from "./deployment.ts";
import { plain } from "./kube.ts";
import { type ActionContext, defineAction } from "./types.ts";

const KEYS = [SURGE_UNTIL, SURGE_BASELINE, SURGE_REPLICAS] as const;

/** What a TrafficSurge finding's `fix.patch` must hold: the end of the surge episode. */
const SurgePatch = z.object({
  metadata: z.object({ annotations: z.object({ [SURGE_UNTIL]: z.iso.datetime() }) }),
});

interface ReplicasSnapshot {
  replicas: number;
  annotations: Record<string, string | null>;
}

const annotationsOf = (d: V1Deployment) => d.metadata?.annotations ?? {};
const timeOf = (v: string | undefined) => (v ? Date.parse(v) : Number.NaN);

async function snapshotOf(ctx: ActionContext, t: ObjectRef): Promise<ReplicasSnapshot> {
  const d = await readDeployment(ctx, t);
  const a = annotationsOf(d);
  return {
    replicas: d.spec?.replicas ?? 1,
    annotations: Object.fromEntries(KEYS.map((k) => [k, a[k] ?? null])),
  };
}

async function restoreSnapshot(ctx: ActionContext, t: ObjectRef, snap: unknown) {
  const s = snap as ReplicasSnapshot;
  const body = { metadata: { annotations: s.annotations }, spec: { replicas: s.replicas } };
  await patchDeployment(ctx, t, body, false);
  return `${t.name} back to ${s.replicas} replicas`;
}

function episodeEnd(ctx: ActionContext): number {
  const parsed = SurgePatch.safeParse(ctx.finding?.fix?.patch);
  if (!parsed.success)
    throw new OpsloopError(
      "invalid_input",
      `scale-out-for-surge needs a TrafficSurge finding with the episode's end, got ${ctx.finding?.reason ?? "none"}`,
    );
  return Date.parse(parsed.data.metadata.annotations[SURGE_UNTIL]);
}

const OutParams = z
  .object({
    /** Multiply the current replicas (rounded up). */
    factor: z.number().min(1).max(10).default(2),
    /** Never scale above this many replicas. */
    max: z.number().int().positive().default(20),
    /** How long after the episode's end the scale-in waits (the forecast's end is an estimate). */
    coolDownMinutes: z.number().int().min(0).max(1_440).default(15),
  })
  .strict();

/**
 * The scale-out as a patch: never below the current count; while an earlier scale-out still
 * holds, its baseline and later end are kept (a second surge must not make the doubled count
 * the one to go back to); a lapsed record is replaced.
 */
function outPatch(ctx: ActionContext, d: V1Deployment, p: z.infer<typeof OutParams>) {
  const a = annotationsOf(d);
  const current = d.spec?.replicas ?? 1;
  const held = timeOf(a[SURGE_UNTIL]);
  const holding = held > ctx.clock.now() && a[SURGE_BASELINE] !== undefined;
  const to = Math.max(current, Math.min(Math.ceil(current * p.factor), p.max));
  const until = Math.max(episodeEnd(ctx) + p.coolDownMinutes * 60_000, holding ? held : 0);
  const annotations = {
    [SURGE_UNTIL]: isoTime(until),
    [SURGE_BASELINE]: holding ? (a[SURGE_BASELINE] as string) : String(current),
    [SURGE_REPLICAS]: String(to),
  };
  return { from: current, to, body: { metadata: { annotations }, spec: { replicas: to } } };
}

/** The scale-in: back to the recorded count if the count is still the one opsloop set. */
function inPatch(ctx: ActionContext, t: ObjectRef, d: V1Deployment) {
  const a = annotationsOf(d);
  const until = timeOf(a[SURGE_UNTIL]);
  if (!(until <= ctx.clock.now()))
    throw new OpsloopError(
      "conflict",
      `${t.name}: ${a[SURGE_UNTIL] ? `the surge window and its cool-down run until ${a[SURGE_UNTIL]}` : "no surge scale-out is recorded"}; it is not scaled in before`,
    );
  const current = d.spec?.replicas ?? 1;
  const baseline = Number(a[SURGE_BASELINE]);
  const ours = String(current) === a[SURGE_REPLICAS] && Number.isInteger(baseline);
  const to = ours ? Math.min(current, baseline) : current;
  const clear = Object.fromEntries(KEYS.map((k) => [k, null]));
  return {
    ours,
    from: current,
    to,
    body: { metadata: { annotations: clear }, spec: { replicas: to } },
  };
}

const SURGE_ACTION = {
  kinds: ["Deployment"],
  reversible: true,
  snapshot: (ctx: ActionContext, t: ObjectRef) => snapshotOf(ctx, t),
  rollback: (ctx: ActionContext, t: ObjectRef, _p: unknown, snap: unknown) =>
    restoreSnapshot(ctx, t, snap),
};

export const scaleOutForSurge = defineAction<z.infer<typeof OutParams>>({
  ...SURGE_ACTION,
  name: "scale-out-for-surge",
  params: OutParams,
  // Scaling out disrupts no pod.
  blast: async () => ({ pods: 0, nodes: 0, workloadUnavailableRatio: 0 }),
  async change(ctx, t, p, _s, dryRun) {
    const r = outPatch(ctx, plain(await readDeployment(ctx, t)), p);
    await patchDeployment(ctx, t, r.body, dryRun);
    return `scale from ${r.from} to ${r.to} replicas until ${r.body.metadata.annotations[SURGE_UNTIL]}`;
  },
  check: (ctx, t) => rolloutCheck(ctx, t),
});

export const scaleInAfterSurge = defineAction<Record<string, never>>({
  ...SURGE_ACTION,
  name: "scale-in-after-surge",
  params: z.object({}).strict(),
  async blast(ctx, t) {
    const d = plain(await readDeployment(ctx, t));
    const a = annotationsOf(d);
    const cur = d.spec?.replicas ?? 1;
    const ours = String(cur) === a[SURGE_REPLICAS];
    const removed = ours ? Math.max(0, cur - Number(a[SURGE_BASELINE] ?? cur)) : 0;
    return { pods: removed, nodes: 0, workloadUnavailableRatio: cur ? removed / cur : 0 };
  },
  async change(ctx, t, _p, _s, dryRun) {
    const r = inPatch(ctx, t, plain(await readDeployment(ctx, t)));
    await patchDeployment(ctx, t, r.body, dryRun);
    return r.ours
      ? `scale from ${r.from} back to ${r.to} replicas`
      : `replicas left at ${r.from} (changed since the surge scale-out)`;
  },
  async check(ctx, t) {
    const d = await readDeployment(ctx, t);
    const left = KEYS.filter((k) => d.metadata?.annotations?.[k] !== undefined);
    if (left.length) return { done: false, message: `still annotated ${left.join(", ")}` };
    return rolloutCheck(ctx, t);
  },
});
