import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { TrendToLimitDetector } from "../detect/trend-to-limit.ts";
import { emptySnapshot } from "../sources/kubernetes/snapshot.ts";
import type { Sample } from "../sources/prometheus/scrape.ts";
import { memoryPredictions } from "./memory-predictions.ts";

const MiB = 2 ** 20;

function pod(name: string): V1Pod {
  return {
    metadata: {
      namespace: "shop",
      name,
      uid: name,
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "worker-7f",
          uid: "rs",
          controller: true,
        },
      ],
    },
  };
}

function scrape(minute: number, pods: string[]): Sample[] {
  const t = minute * 60_000;
  return pods.flatMap((p, i): Sample[] => [
    {
      name: "kube_pod_container_resource_limits",
      labels: { namespace: "shop", pod: p, container: "worker", resource: "memory", unit: "byte" },
      t,
      v: 512 * MiB,
    },
    {
      name: "container_memory_working_set_bytes",
      labels: { namespace: "shop", pod: p, container: "worker" },
      t,
      v: (100 + i * 50 + minute * 20) * MiB,
    },
    // The pod cgroup and the pause container must not be mistaken for the app container.
    {
      name: "container_memory_working_set_bytes",
      labels: { namespace: "shop", pod: p, container: "" },
      t,
      v: 600 * MiB,
    },
    {
      name: "container_memory_working_set_bytes",
      labels: { namespace: "shop", pod: p, container: "POD" },
      t,
      v: 1 * MiB,
    },
  ]);
}

describe("memory predictions from scraped samples", () => {
  it("joins usage with limits and reports one prediction per workload with the earliest ETA", () => {
    const snap = emptySnapshot();
    snap.pods.push(pod("worker-7f-a"), pod("worker-7f-b"));
    snap.replicaSets.push({
      metadata: {
        namespace: "shop",
        name: "worker-7f",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "worker", uid: "d", controller: true },
        ],
      },
    });
    const detector = new TrendToLimitDetector();
    let found = memoryPredictions(scrape(0, ["worker-7f-a", "worker-7f-b"]), snap, detector);
    for (let m = 1; m <= 10; m++)
      found = memoryPredictions(scrape(m, ["worker-7f-a", "worker-7f-b"]), snap, detector);
    expect(found).toHaveLength(1);
    expect(found[0]?.subject).toMatchObject({ kind: "Deployment", name: "worker" });
    expect(found[0]?.affected.map((a) => a.name).sort()).toEqual(["worker-7f-a", "worker-7f-b"]);
    // b starts 50 MiB higher: (512 - 150) / 20 = 18.1 min after minute 0.
    expect((found[0]?.eta ?? 0) / 60_000).toBeCloseTo(18.1, 1);
    // An absolute ETA: the text does not count down to "in 0 min" while the incident is open.
    expect(found[0]?.rootCause).toMatch(
      /reaches its limit of 512 MiB at 1970-01-01T00:18Z \(OOM\)$/,
    );
    expect(detector.size).toBe(2);
    memoryPredictions(scrape(11, ["worker-7f-a"]), snap, detector);
    expect(detector.keys()).toEqual(["shop/worker-7f-a/worker"]);
  });
});
