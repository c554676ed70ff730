/**
 * The HPA floor for a forecast surge (src/forecast/prescale.ts): `raise-hpa-min-replicas` sets
 * an HPA's minReplicas to the floor the run's `SurgePredicted` finding carries and records, on
 * the HPA, the floor before it, the floor set and when the episode ends;
 * `restore-hpa-min-replicas` puts the recorded floor back once that end has passed. Neither sets
 * replicas: the HPA scales out to a raised floor at once, and scales in on measured load after
 * the restore, so nothing is ever scaled in on a forecast. A floor a human changed in between is
 * left as it is.
 */
import type { V2HorizontalPodAutoscaler } from "@kubernetes/client-node";
import { z } from "zod";
import { isoTime } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";
import { PRESCALE_BASELINE, PRESCALE_FLOOR, PRESCALE_UNTIL } from "../../forecast/prescale.ts";
import { FIELD_MANAGER, mergePatch, plain } from "./kube.ts";
import { type ActionContext, DRY, defineAction, ns } from "./types.ts";

const KEYS = [PRESCALE_UNTIL, PRESCALE_BASELINE, PRESCALE_FLOOR] as const;

/** What a SurgePredicted finding's `fix.patch` must hold. */
const FloorPatch = z.object({
  metadata: z.object({ annotations: z.object({ [PRESCALE_UNTIL]: z.iso.datetime() }) }),
  spec: z.object({ minReplicas: z.number().int().min(1) }),
});

interface FloorSnapshot {
  minReplicas: number;
  annotations: Record<string, string | null>;
}

const readHpa = (ctx: ActionContext, t: ObjectRef) =>
  ctx.kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ns(t), name: t.name });

const patchHpa = (ctx: ActionContext, t: ObjectRef, body: object, dryRun: boolean) =>
  ctx.kube.autoscaling.patchNamespacedHorizontalPodAutoscaler(
    { namespace: ns(t), name: t.name, body, dryRun: DRY(dryRun), fieldManager: FIELD_MANAGER },
    mergePatch(),
  );

async function snapshotOf(ctx: ActionContext, t: ObjectRef): Promise<FloorSnapshot> {
  const h = await readHpa(ctx, t);
  const a = h.metadata?.annotations ?? {};
  return {
    minReplicas: h.spec?.minReplicas ?? 1,
    annotations: Object.fromEntries(KEYS.map((k) => [k, a[k] ?? null])),
  };
}

async function restoreSnapshot(ctx: ActionContext, t: ObjectRef, snap: unknown) {
  const s = snap as FloorSnapshot;
  await patchHpa(
    ctx,
    t,
    { metadata: { annotations: s.annotations }, spec: { minReplicas: s.minReplicas } },
    false,
  );
  return `minReplicas of HPA ${t.name} back to ${s.minReplicas}`;
}

/** The floor and end the finding asks for, capped at the HPA's maxReplicas. */
function wanted(ctx: ActionContext, h: V2HorizontalPodAutoscaler) {
  const f = ctx.finding;
  const parsed = FloorPatch.safeParse(f?.fix?.patch);
  if (!parsed.success)
    throw new OpsloopError(
      "invalid_input",
      `raise-hpa-min-replicas needs a SurgePredicted finding with a floor patch, got ${f?.reason ?? "none"}`,
    );
  const max = h.spec?.maxReplicas ?? parsed.data.spec.minReplicas;
  return {
    floor: Math.min(parsed.data.spec.minReplicas, max),
    until: Date.parse(parsed.data.metadata.annotations[PRESCALE_UNTIL]),
  };
}

/** The raise as a merge patch: never below the current floor, the earliest baseline kept. */
function raisePatch(ctx: ActionContext, h: V2HorizontalPodAutoscaler) {
  const w = wanted(ctx, h);
  const a = h.metadata?.annotations ?? {};
  const current = h.spec?.minReplicas ?? 1;
  const floor = Math.max(current, w.floor);
  const until = Math.max(w.until, a[PRESCALE_UNTIL] ? Date.parse(a[PRESCALE_UNTIL]) : 0);
  const baseline = a[PRESCALE_BASELINE] ?? String(current);
  return {
    from: current,
    floor,
    body: {
      metadata: {
        annotations: {
          [PRESCALE_UNTIL]: isoTime(until),
          [PRESCALE_BASELINE]: baseline,
          [PRESCALE_FLOOR]: String(floor),
        },
      },
      spec: { minReplicas: floor },
    },
  };
}

async function availableOfTarget(ctx: ActionContext, h: V2HorizontalPodAutoscaler) {
  const name = h.spec?.scaleTargetRef.name ?? "";
  const d = await ctx.kube.apps.readNamespacedDeployment({
    namespace: h.metadata?.namespace ?? "default",
    name,
  });
  return { name, available: d.status?.availableReplicas ?? 0 };
}

/**
 * What both actions share. Blast: raising a floor adds pods and removes none; lowering one
 * removes no pod by itself (the HPA scales in later, on measured load).
 */
const FLOOR_ACTION = {
  kinds: ["HorizontalPodAutoscaler"],
  params: z.object({}).strict(),
  reversible: true,
  blast: async () => ({ pods: 0, nodes: 0, workloadUnavailableRatio: 0 }),
  snapshot: (ctx: ActionContext, t: ObjectRef) => snapshotOf(ctx, t),
  rollback: (ctx: ActionContext, t: ObjectRef, _p: unknown, snap: unknown) =>
    restoreSnapshot(ctx, t, snap),
};

export const raiseHpaMinReplicas = defineAction({
  ...FLOOR_ACTION,
  name: "raise-hpa-min-replicas",
  async change(ctx, t, _p, _s, dryRun) {
    const r = raisePatch(ctx, plain(await readHpa(ctx, t)));
    await patchHpa(ctx, t, r.body, dryRun);
    return `minReplicas of HPA ${t.name} from ${r.from} to ${r.floor} until ${r.body.metadata.annotations[PRESCALE_UNTIL]}`;
  },
  async check(ctx, t) {
    const h = plain(await readHpa(ctx, t));
    const floor = Number(h.metadata?.annotations?.[PRESCALE_FLOOR] ?? 0);
    if ((h.spec?.minReplicas ?? 0) < floor)
      return { done: false, failed: true, message: `minReplicas is ${h.spec?.minReplicas}` };
    const d = await availableOfTarget(ctx, h);
    return {
      done: d.available >= floor,
      message: `${d.available} of ${floor} replicas of ${d.name} available`,
    };
  },
});

export const restoreHpaMinReplicas = defineAction({
  ...FLOOR_ACTION,
  name: "restore-hpa-min-replicas",
  async change(ctx, t, _p, _s, dryRun) {
    const h = plain(await readHpa(ctx, t));
    const a = h.metadata?.annotations ?? {};
    const until = a[PRESCALE_UNTIL] ? Date.parse(a[PRESCALE_UNTIL]) : Number.NaN;
    if (!(until <= ctx.clock.now()))
      throw new OpsloopError(
        "conflict",
        `HPA ${t.name}: the prescale window ${a[PRESCALE_UNTIL] ? `runs until ${a[PRESCALE_UNTIL]}` : "is not recorded"}; its floor is not lowered before it ends`,
      );
    const clear = Object.fromEntries(KEYS.map((k) => [k, null]));
    const current = h.spec?.minReplicas ?? 1;
    const baseline = Number(a[PRESCALE_BASELINE] ?? current);
    // A floor someone changed since the raise is theirs now: only the annotations go.
    const ours = String(current) === a[PRESCALE_FLOOR];
    const to = ours ? Math.min(current, baseline) : current;
    await patchHpa(ctx, t, { metadata: { annotations: clear }, spec: { minReplicas: to } }, dryRun);
    return ours
      ? `minReplicas of HPA ${t.name} from ${current} back to ${to}`
      : `minReplicas of HPA ${t.name} left at ${current} (changed since opsloop set ${a[PRESCALE_FLOOR]})`;
  },
  async check(ctx, t) {
    const h = await readHpa(ctx, t);
    const left = KEYS.filter((k) => h.metadata?.annotations?.[k] !== undefined);
    return {
      done: left.length === 0,
      message: left.length ? `still annotated ${left.join(", ")}` : "prescale annotations removed",
    };
  },
});
