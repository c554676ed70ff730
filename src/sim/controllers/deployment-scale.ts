/**
 * Sizing decisions of the Deployment controller that need no store access: proportional
 * scaling of several active ReplicaSets (sync.go scale) and which old sets to prune
 * (cleanupDeployment).
 */
import type { KubeObject } from "../store/types.ts";
import { fenceposts, revisionOf } from "./deployment-util.ts";
import { replicasOf } from "./util.ts";

export const byAge = (a: KubeObject, b: KubeObject) =>
  Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? "") ||
  String(a.metadata.name).localeCompare(String(b.metadata.name));

/**
 * Spreads a replica change over the active sets in proportion to their size, so a scale in the
 * middle of a rollout keeps the old/new ratio; leftovers go to the largest set.
 */
export function proportionalSizes(
  d: KubeObject,
  active: KubeObject[],
): Array<[KubeObject, number]> {
  const allowed = replicasOf(d) + fenceposts(d).surge;
  const current = active.reduce((n, rs) => n + replicasOf(rs), 0);
  const sorted = [...active].sort((a, b) => replicasOf(b) - replicasOf(a) || byAge(b, a));
  const sizes = sorted.map(
    (rs) =>
      replicasOf(rs) + Math.trunc((replicasOf(rs) * (allowed - current)) / Math.max(1, current)),
  );
  const leftover =
    allowed - current - sizes.reduce((n, s, i) => n + s - replicasOf(sorted[i] as KubeObject), 0);
  if (sizes.length) sizes[0] = Math.max(0, (sizes[0] as number) + leftover);
  return sorted.map((rs, i) => [rs, sizes[i] as number]);
}

/** The oldest empty, settled old ReplicaSets beyond revisionHistoryLimit. */
export function historyToDelete(d: KubeObject, olds: KubeObject[]): KubeObject[] {
  const limit = d.spec.revisionHistoryLimit ?? 10;
  const candidates = olds.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = candidates.length - limit;
  if (excess <= 0) return [];
  return candidates
    .sort((a, b) => revisionOf(a) - revisionOf(b) || byAge(a, b))
    .slice(0, excess)
    .filter(
      (rs) =>
        replicasOf(rs) === 0 &&
        (rs.status?.replicas ?? 0) === 0 &&
        (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 0),
    );
}
