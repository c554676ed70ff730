import type { V1Deployment, V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { pickRevision, REVISION, undoPatch } from "./rollout-undo.ts";

const deployment = (over: Partial<V1Deployment["spec"]> = {}): V1Deployment => ({
  metadata: {
    name: "api",
    uid: "d1",
    annotations: { [REVISION]: "3", "kubectl.kubernetes.io/last-applied-configuration": "{}" },
  },
  spec: {
    selector: {},
    template: {
      metadata: { labels: { app: "api" } },
      spec: { containers: [{ name: "api", image: "api:3" }] },
    },
    ...over,
  },
});

const rs = (revision: string, image: string, owner = "d1"): V1ReplicaSet => ({
  metadata: {
    name: `api-${revision}`,
    annotations: { [REVISION]: revision, "kubernetes.io/change-cause": `image ${image}` },
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: owner, controller: true },
    ],
  },
  spec: {
    selector: {},
    template: {
      metadata: { labels: { app: "api", "pod-template-hash": `h${revision}` } },
      spec: { containers: [{ name: "api", image }] },
    },
  },
});

describe("rollout undo, as kubectl's DeploymentRollbacker", () => {
  const sets = [
    rs("1", "api:1"),
    rs("3", "api:3"),
    rs("2", "api:2"),
    rs("9", "other:9", "someone-else"),
  ];

  it("picks the second-highest revision among the ReplicaSets the Deployment controls", () => {
    expect(pickRevision(deployment(), sets).metadata?.name).toBe("api-2");
    expect(pickRevision(deployment(), sets, 1).metadata?.name).toBe("api-1");
  });

  it("reports a missing revision and a missing history with kubectl's messages", () => {
    expect(() => pickRevision(deployment(), sets, 7)).toThrow(
      "unable to find specified revision 7 in history",
    );
    expect(() => pickRevision(deployment(), [rs("3", "api:3")])).toThrow(
      'no rollout history found for deployment "api"',
    );
  });

  it("patches the template without pod-template-hash and keeps the Deployment's own annotations", () => {
    const patch = undoPatch(deployment(), rs("2", "api:2")) as {
      op: string;
      path: string;
      value: never;
    }[];
    expect(patch.map((p) => p.path)).toEqual(["/spec/template", "/metadata/annotations"]);
    expect(patch[0]?.value).toEqual({
      metadata: { labels: { app: "api" } },
      spec: { containers: [{ name: "api", image: "api:2" }] },
    });
    expect(patch[1]?.value).toEqual({
      [REVISION]: "3",
      "kubectl.kubernetes.io/last-applied-configuration": "{}",
      "kubernetes.io/change-cause": "image api:2",
    });
  });

  it("skips when the template already matches and refuses a paused Deployment", () => {
    expect(undoPatch(deployment(), rs("3", "api:3"))).toBeUndefined();
    expect(() => undoPatch(deployment({ paused: true }), rs("2", "api:2"))).toThrow(
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    );
  });
});
