/**
 * Creating or updating objects: a HorizontalPodAutoscaler (autoscaling/v2) for a Deployment,
 * any manifest by server-side apply (`application/apply-patch+yaml`, fieldManager opsloop),
 * and notify, which changes nothing and leaves only its audit record.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { z } from "zod";
import type { ObjectRef } from "../../core/types.ts";
import { readDeployment } from "./deployment.ts";
import { FIELD_MANAGER, httpCode, plain } from "./kube.ts";
import { type ActionContext, DRY, defineAction, ns } from "./types.ts";

async function readOrNull(
  ctx: ActionContext,
  spec: KubernetesObject,
): Promise<KubernetesObject | null> {
  try {
    return plain(await ctx.kube.objects.read(spec as never));
  } catch (e) {
    if (httpCode(e) === 404) return null;
    throw e;
  }
}

/** Server-side apply; snapshot = the object before (null when apply creates it). */
async function ssa(ctx: ActionContext, obj: KubernetesObject, dryRun: boolean) {
  return ctx.kube.objects.patch(
    obj,
    undefined,
    DRY(dryRun),
    FIELD_MANAGER,
    true,
    "application/apply-patch+yaml",
  );
}

async function restore(ctx: ActionContext, obj: KubernetesObject, before: KubernetesObject | null) {
  if (!before) {
    await ctx.kube.objects.delete(obj);
    return `deleted ${obj.kind} ${obj.metadata?.name} (it did not exist before)`;
  }
  const cur = await ctx.kube.objects.read(obj as never);
  const { status: _s, ...spec } = before as KubernetesObject & { status?: unknown };
  await ctx.kube.objects.replace({
    ...spec,
    metadata: {
      ...spec.metadata,
      resourceVersion: cur.metadata?.resourceVersion,
      managedFields: undefined,
    },
  });
  return `restored ${obj.kind} ${obj.metadata?.name}`;
}

const HpaParams = z
  .object({
    minReplicas: z.number().int().min(1),
    maxReplicas: z.number().int().min(1),
    cpuUtilization: z.number().int().min(1).max(100).default(70),
  })
  .strict()
  .refine((p) => p.minReplicas <= p.maxReplicas, { message: "minReplicas > maxReplicas" });

/** The HPA apply-hpa writes: CPU utilisation, for a Deployment (also the tests' fixture). */
export function hpaFor(
  t: ObjectRef,
  p: Omit<z.infer<typeof HpaParams>, "cpuUtilization"> & { cpuUtilization?: number },
): KubernetesObject {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: t.name, namespace: ns(t) },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: t.name },
      minReplicas: p.minReplicas,
      maxReplicas: p.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: p.cpuUtilization ?? 70 },
          },
        },
      ],
    },
  } as KubernetesObject;
}

export const applyHpa = defineAction({
  name: "apply-hpa",
  kinds: ["Deployment"],
  params: HpaParams,
  reversible: true,
  async blast(ctx, t, p) {
    const cur = (await readDeployment(ctx, t)).spec?.replicas ?? 1;
    const removed = Math.max(0, cur - p.maxReplicas);
    return { pods: removed, nodes: 0, workloadUnavailableRatio: cur ? removed / cur : 0 };
  },
  snapshot: (ctx, t, p) => readOrNull(ctx, hpaFor(t, p)),
  async change(ctx, t, p, _s, dryRun) {
    await ssa(ctx, hpaFor(t, p), dryRun);
    return `HPA ${t.name}: ${p.minReplicas}..${p.maxReplicas} replicas at ${p.cpuUtilization}% CPU`;
  },
  async check(ctx, t, p) {
    const h = (await readOrNull(ctx, hpaFor(t, p))) as { spec?: { minReplicas?: number } } | null;
    return {
      done: h?.spec?.minReplicas === p.minReplicas,
      message: h ? "HPA present" : "HPA missing",
    };
  },
  rollback: (ctx, t, p, snap) => restore(ctx, hpaFor(t, p), snap as KubernetesObject | null),
});

const ManifestParams = z
  .object({
    manifest: z
      .object({
        apiVersion: z.string(),
        kind: z.string(),
        metadata: z.object({ name: z.string() }).loose(),
      })
      .loose(),
  })
  .strict();

/** The step's target names the object; the manifest is applied in the target's namespace. */
const manifestFor = (t: ObjectRef, p: z.infer<typeof ManifestParams>): KubernetesObject => {
  const m = plain(p.manifest) as KubernetesObject;
  return { ...m, metadata: { ...m.metadata, ...(t.namespace ? { namespace: t.namespace } : {}) } };
};

export const applyManifest = defineAction({
  name: "apply-manifest",
  kinds: ["*"],
  params: ManifestParams,
  reversible: true,
  blast: async () => ({ pods: 0, nodes: 0 }),
  snapshot: (ctx, t, p) => readOrNull(ctx, manifestFor(t, p)),
  async change(ctx, t, p, _s, dryRun) {
    const m = manifestFor(t, p);
    await ssa(ctx, m, dryRun);
    return `server-side applied ${m.kind} ${m.metadata?.name}`;
  },
  async check(ctx, t, p) {
    const present = (await readOrNull(ctx, manifestFor(t, p))) !== null;
    return { done: present, message: present ? "object present" : "object missing" };
  },
  rollback: (ctx, t, p, snap) => restore(ctx, manifestFor(t, p), snap as KubernetesObject | null),
});

export const notify = defineAction({
  name: "notify",
  kinds: ["*"],
  params: z.object({ message: z.string().default("") }).strict(),
  reversible: true,
  blast: async () => ({ pods: 0, nodes: 0 }),
  snapshot: async () => null,
  change: async (_ctx, t, p) =>
    `notified: ${t.kind} ${t.namespace ? `${t.namespace}/` : ""}${t.name}${p.message ? ` — ${p.message}` : ""}`,
  check: async () => ({ done: true, message: "nothing to verify" }),
  rollback: async () => "nothing to roll back",
});
