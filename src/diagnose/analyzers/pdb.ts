/**
 * PodDisruptionBudgets that allow no voluntary eviction even when every pod is healthy:
 * maxUnavailable 0 (or 0%), or minAvailable equal to the pods there are (or 100%). Such a budget
 * blocks every node drain and cluster upgrade (kubectl drain retries "Cannot evict pod as it would
 * violate the pod's disruption budget" forever). A budget at 0 because pods are unhealthy is a
 * symptom: the pods' findings carry the cause, so it is not reported here.
 */
import type { V1PodDisruptionBudget } from "@kubernetes/client-node";
import type { Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { makeFinding, refOf } from "./common.ts";

const SOURCE = "diagnose/pdb";

function isZero(v: number | string | undefined): boolean {
  return v === 0 || v === "0" || v === "0%";
}

/** Why the budget forbids every eviction of `expected` pods, if it does (also used by `opsloop scan`). */
export function blocking(
  pdb: V1PodDisruptionBudget,
  expected = pdb.status?.expectedPods ?? 0,
): string | undefined {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && isZero(spec.maxUnavailable))
    return `maxUnavailable is ${spec.maxUnavailable}`;
  const min = spec.minAvailable;
  if (min === "100%") return "minAvailable is 100%";
  if (typeof min === "number" && expected > 0 && min >= expected)
    return `minAvailable ${min} ${min === expected ? "equals" : "exceeds"} the ${pods(expected)} it covers`;
  return undefined;
}

function pods(n: number): string {
  return `${n} pod${n === 1 ? "" : "s"}`;
}

function describeSpec(pdb: V1PodDisruptionBudget): string {
  const s = pdb.spec ?? {};
  return s.minAvailable !== undefined
    ? `minAvailable ${s.minAvailable}`
    : `maxUnavailable ${s.maxUnavailable}`;
}

export function analyzePdbs(snap: ClusterSnapshot, now: number): Finding[] {
  const out: Finding[] = [];
  for (const pdb of snap.podDisruptionBudgets) {
    const st = pdb.status;
    if ((st?.expectedPods ?? 0) === 0) continue;
    // Any other spec form that leaves no room (minAvailable 1 of a single replica, 50% of 1)
    // shows in the status: desiredHealthy as high as the pods there are.
    const why =
      blocking(pdb) ??
      ((st?.desiredHealthy ?? 0) >= (st?.expectedPods ?? 0)
        ? `it requires ${st?.desiredHealthy} healthy of ${st?.expectedPods} pods (${describeSpec(pdb)})`
        : undefined);
    if (!why) continue;
    // All pods healthy and still no disruption allowed: the budget itself is the cause.
    if ((st?.currentHealthy ?? 0) < (st?.expectedPods ?? 0) || (st?.disruptionsAllowed ?? 0) > 0)
      continue;
    const ns = pdb.metadata?.namespace;
    const expected = st?.expectedPods ?? 0;
    const patch =
      pdb.spec?.maxUnavailable !== undefined
        ? { spec: { maxUnavailable: 1 } }
        : { spec: { minAvailable: Math.max(expected - 1, 0) } };
    out.push(
      makeFinding(
        {
          source: SOURCE,
          key: why,
          subject: refOf("PodDisruptionBudget", pdb.metadata),
          affected: [],
          reason: "DisruptionBlocked",
          rootCause: `PodDisruptionBudget ${ns}/${pdb.metadata?.name} allows no eviction even with ${expected === 1 ? "its" : "all"} ${pods(expected)} healthy (${why}): node drains and upgrades will hang`,
          evidence: [
            {
              type: "status",
              text: `disruptionsAllowed=${st?.disruptionsAllowed ?? 0} currentHealthy=${st?.currentHealthy ?? 0} desiredHealthy=${st?.desiredHealthy ?? 0} expectedPods=${expected}`,
            },
          ],
          fix: {
            description:
              expected > 1
                ? "allow one pod to be evicted at a time"
                : "run at least two replicas so one can be evicted, or allow the single pod to be evicted",
            patch,
            command: `kubectl -n ${ns} patch pdb ${pdb.metadata?.name} --type merge -p '${JSON.stringify(patch)}'`,
          },
          confidence: 0.9,
          severity: "warning",
        },
        now,
      ),
    );
  }
  return out;
}
