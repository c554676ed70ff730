/**
 * `kubectl drain` over the API (staging/src/k8s.io/kubectl/pkg/drain): cordon, then evict
 * every pod but DaemonSet and mirror pods through `pods/eviction`, so PodDisruptionBudgets
 * hold; a 429 is retried every 5 s until the timeout. Pods without a controller are refused
 * unless `force` (nothing would recreate them). Re-running a drain is safe: cordon is
 * idempotent and gone pods are skipped, which is how an interrupted run resumes.
 */
import { z } from "zod";
import { OpsloopError } from "../../core/errors.ts";
import { apiMessage } from "./kube.ts";
import { cordon, poolShare, readNode, uncordon } from "./node.ts";
import { evict, podRef, podsBlast, podsOnNode } from "./pods.ts";
import { defineAction } from "./types.ts";

const DrainParams = z
  .object({
    force: z.boolean().default(false),
    timeoutSeconds: z.number().int().positive().default(300),
    retrySeconds: z.number().positive().default(5),
  })
  .strict();

export const drain = defineAction({
  name: "drain",
  kinds: ["Node"],
  params: DrainParams,
  // Rollback uncordons; evicted pods were already rescheduled by their controllers.
  reversible: true,
  async blast(ctx, t) {
    const b = await podsBlast(ctx, await podsOnNode(ctx, t.name));
    return { ...b, nodes: 1, poolUnavailableRatio: await poolShare(ctx, t.name) };
  },
  async snapshot(ctx, t) {
    const node = await readNode(ctx, t);
    const pods = (await podsOnNode(ctx, t.name)).map(podRef);
    return { unschedulable: node.spec?.unschedulable ?? false, pods };
  },
  async change(ctx, t, p, snap, dryRun) {
    await cordon.change(ctx, t, {}, snap, dryRun);
    const pods = await podsOnNode(ctx, t.name);
    const orphans = pods.filter((x) => !x.metadata?.ownerReferences?.some((o) => o.controller));
    if (orphans.length && !p.force)
      throw new OpsloopError(
        "conflict",
        `cannot delete Pods that declare no controller (use --force to override): ${orphans.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).join(", ")}`,
      );
    const deadline = ctx.wall.now() + p.timeoutSeconds * 1000;
    const blocked: string[] = [];
    let evicted = 0;
    for (const pod of pods) {
      const ref = podRef(pod);
      const r = await evict(ctx, ref, { dryRun, retryMs: p.retrySeconds * 1000, deadline }).catch(
        (e: unknown) => {
          throw new OpsloopError("internal", `drain ${t.name}: ${apiMessage(e)}`, { cause: e });
        },
      );
      if (r === "blocked") blocked.push(`${ref.namespace}/${ref.name}`);
      if (r === "evicted") evicted++;
    }
    if (blocked.length && !dryRun)
      throw new OpsloopError(
        "conflict",
        `drain ${t.name}: a PodDisruptionBudget still blocks evicting ${blocked.join(", ")} after ${p.timeoutSeconds}s`,
      );
    const verb = dryRun ? "would evict" : "evicted";
    const note = blocked.length ? ` (${blocked.length} blocked by a PodDisruptionBudget now)` : "";
    return `cordoned ${t.name} and ${verb} ${evicted} pods${note}`;
  },
  async check(ctx, t) {
    const node = await readNode(ctx, t);
    const left = await podsOnNode(ctx, t.name);
    if (!node.spec?.unschedulable) return { done: false, message: `${t.name} is not cordoned` };
    return left.length
      ? { done: false, message: `${left.length} pods still on ${t.name}` }
      : { done: true, message: `${t.name} is cordoned and drained` };
  },
  rollback: (ctx, t, _p, snap) =>
    (snap as { unschedulable: boolean }).unschedulable
      ? Promise.resolve(`${t.name} was cordoned before the drain; left cordoned`)
      : uncordon.change(ctx, t, {}, snap, false),
});
