import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../sources/kubernetes/snapshot.ts";
import { describeRollout, lastRollout, templateChanges } from "./rollout-diff.ts";

const tpl = (image: string, env: { name: string; value: string }[] = []): V1PodTemplateSpec => ({
  metadata: { labels: { app: "api", "pod-template-hash": image.length.toString() } },
  spec: { containers: [{ name: "api", image, env }] },
});

function rs(
  name: string,
  revision: number,
  template: V1PodTemplateSpec,
  ready: number,
): V1ReplicaSet {
  return {
    metadata: {
      name,
      namespace: "shop",
      annotations: { "deployment.kubernetes.io/revision": String(revision) },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: "d1", controller: true },
      ],
    },
    spec: { selector: {}, template },
    status: { replicas: ready, readyReplicas: ready },
  };
}

describe("rollout diff", () => {
  it("names the image change and env names, never env values, and ignores pod-template-hash", () => {
    const changes = templateChanges(
      tpl("ghcr.io/acme/api:1.4", [{ name: "TOKEN", value: "old-secret" }]),
      tpl("ghcr.io/acme/api:1.5", [
        { name: "TOKEN", value: "new-secret" },
        { name: "MODE", value: "x" },
      ]),
    );
    expect(changes).toEqual([
      "image of container api changed ghcr.io/acme/api:1.4 → ghcr.io/acme/api:1.5",
      "env TOKEN of container api changed",
      "env MODE added to container api",
    ]);
    expect(JSON.stringify(changes)).not.toContain("secret");
  });

  it("compares the Deployment's current revision with the one before it", () => {
    const snap = emptySnapshot();
    const dep: V1Deployment = {
      metadata: {
        name: "api",
        namespace: "shop",
        uid: "d1",
        annotations: { "deployment.kubernetes.io/revision": "3" },
      },
      spec: { selector: {}, template: tpl("ghcr.io/acme/api:1.5") },
    };
    snap.deployments.push(dep);
    snap.replicaSets.push(
      rs("api-1", 1, tpl("ghcr.io/acme/api:1.3"), 0),
      rs("api-2", 2, tpl("ghcr.io/acme/api:1.4"), 2),
      rs("api-3", 3, tpl("ghcr.io/acme/api:1.5"), 0),
    );
    const d = lastRollout(snap, dep);
    expect(d).toMatchObject({
      revision: 3,
      previousRevision: 2,
      previousReady: 2,
      currentReplicaSet: "api-3",
    });
    expect(d && describeRollout(d)).toBe(
      "revision 3 of Deployment shop/api (image of container api changed ghcr.io/acme/api:1.4 → ghcr.io/acme/api:1.5)",
    );
  });

  it("has nothing to say about a Deployment with a single revision", () => {
    const snap = emptySnapshot();
    const dep: V1Deployment = {
      metadata: { name: "api", namespace: "shop", uid: "d1" },
      spec: { selector: {}, template: tpl("a:1") },
    };
    snap.replicaSets.push(rs("api-1", 1, tpl("a:1"), 1));
    expect(lastRollout(snap, dep)).toBeUndefined();
  });
});
