import { describe, expect, it } from "vitest";
import type { SimCluster } from "../cluster.ts";
import { SimCluster as Cluster, openRegistry } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { advance, deployment, eventsFor, livePods, node } from "./test-support.ts";

function setup(replicas = 3, spec: Record<string, unknown> = {}) {
  // nginx:broken does not exist, so its pods sit in ImagePullBackOff and never become ready.
  const cluster = new Cluster({
    images: openRegistry({ repositories: { nginx: ["1.25", "1.26", "1.27", "1.28"] } }),
  });
  cluster.apply([node("node-1"), deployment("web", replicas, "nginx:1.25", spec)]);
  return cluster;
}

const rsList = (c: SimCluster) => c.store.list("replicasets.apps", { namespace: "default" });
const rev = (rs: KubeObject) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"];
const get = (c: SimCluster) => c.store.mustGet("deployments.apps", "default", "web");
const pods = (c: SimCluster) => livePods(c);

function setImage(c: SimCluster, image: string) {
  c.store.mutate(
    "deployments.apps",
    "default",
    "web",
    (d) => {
      d.spec.template.spec.containers[0].image = image;
    },
    {},
  );
}

describe("deployment controller", () => {
  it("creates a hashed ReplicaSet with revision 1 and its pods, then reports Available", () => {
    const c = setup();
    advance(c, 5);
    const [rs] = rsList(c);
    expect(rs?.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rev(rs as KubeObject)).toBe("1");
    const hash = rs?.metadata.labels?.["pod-template-hash"];
    expect(rs?.spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(rs?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "Deployment",
      name: "web",
      controller: true,
    });
    expect(pods(c)).toHaveLength(3);
    expect(pods(c)[0]?.metadata.generateName).toBe(`${rs?.metadata.name}-`);
    const d = get(c);
    expect(d.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
    });
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    const progressing = d.status.conditions.find((x: { type: string }) => x.type === "Progressing");
    expect(progressing).toMatchObject({
      status: "True",
      reason: "NewReplicaSetAvailable",
      message: `ReplicaSet "${rs?.metadata.name}" has successfully progressed.`,
    });
    expect(eventsFor(c, "web")).toContain(
      `ScalingReplicaSet: Scaled up replica set ${rs?.metadata.name} from 0 to 3`,
    );
    expect(
      eventsFor(c, rs?.metadata.name as string).filter((e) => e.startsWith("SuccessfulCreate")),
    ).toHaveLength(3);
  });

  it("rolls a new template out as revision 2 and scales the old set down within surge limits", () => {
    const c = setup(4);
    advance(c, 5);
    setImage(c, "nginx:1.26");
    let maxPods = 0;
    for (let i = 0; i < 30; i++) {
      c.step(1000);
      maxPods = Math.max(maxPods, pods(c).length);
    }
    const sets = rsList(c);
    expect(sets).toHaveLength(2);
    const next = sets.find((rs) => rev(rs) === "2") as KubeObject;
    const old = sets.find((rs) => rev(rs) === "1") as KubeObject;
    expect(next.spec.replicas).toBe(4);
    expect(old.spec.replicas).toBe(0);
    expect(maxPods).toBeLessThanOrEqual(5);
    expect(get(c).status).toMatchObject({
      updatedReplicas: 4,
      availableReplicas: 4,
      observedGeneration: 2,
    });
    expect(get(c).metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    expect(eventsFor(c, "web")).toContain(
      `ScalingReplicaSet: Scaled down replica set ${old.metadata.name} from 4 to 3`,
    );
  });

  it("re-uses the revision 1 ReplicaSet as revision 3 when the template is reverted (rollout undo)", () => {
    const c = setup(2);
    advance(c, 5);
    const first = rsList(c)[0] as KubeObject;
    setImage(c, "nginx:1.26");
    advance(c, 20);
    c.store.mutate(
      "deployments.apps",
      "default",
      "web",
      (d) => {
        d.spec.template = structuredClone(first.spec.template);
        delete d.spec.template.metadata.labels["pod-template-hash"];
        // What kubectl sends: the template re-encoded by Go, with null and empty fields.
        d.spec.template.metadata.creationTimestamp = null;
        d.spec.template.spec.containers[0].resources = {};
      },
      {},
    );
    advance(c, 20);
    expect(rsList(c)).toHaveLength(2);
    const reused = c.store.mustGet("replicasets.apps", "default", first.metadata.name as string);
    expect(rev(reused)).toBe("3");
    expect(reused.metadata.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");
    expect(reused.spec.replicas).toBe(2);
    expect(get(c).metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("does not roll out while paused but still scales", () => {
    const c = setup(2);
    advance(c, 5);
    c.store.mutate(
      "deployments.apps",
      "default",
      "web",
      (d) => {
        d.spec.paused = true;
      },
      {},
    );
    setImage(c, "nginx:1.26");
    c.store.mutate(
      "deployments.apps",
      "default",
      "web",
      (d) => {
        d.spec.replicas = 5;
      },
      {},
    );
    advance(c, 10);
    expect(rsList(c)).toHaveLength(1);
    expect(rsList(c)[0]?.spec.replicas).toBe(5);
    const cond = get(c).status.conditions.find((x: { type: string }) => x.type === "Progressing");
    expect(cond).toMatchObject({ status: "Unknown", reason: "DeploymentPaused" });
    c.store.mutate(
      "deployments.apps",
      "default",
      "web",
      (d) => {
        d.spec.paused = false;
      },
      {},
    );
    advance(c, 30);
    expect(rsList(c)).toHaveLength(2);
    expect(get(c).status).toMatchObject({ updatedReplicas: 5, availableReplicas: 5 });
  });

  it("scales the active ReplicaSet with the deployment's replicas", () => {
    const c = setup(3);
    advance(c, 5);
    c.store.mutate(
      "deployments.apps",
      "default",
      "web",
      (d) => {
        d.spec.replicas = 1;
      },
      {},
    );
    advance(c, 5);
    expect(pods(c)).toHaveLength(1);
    expect(get(c).status).toMatchObject({ replicas: 1, availableReplicas: 1 });
  });

  it("reports ProgressDeadlineExceeded when new pods never become ready", () => {
    const c = setup(2, { progressDeadlineSeconds: 30 });
    advance(c, 5);
    setImage(c, "nginx:broken");
    for (let i = 0; i < 45; i++) {
      c.step(1000);
    }
    const rs = rsList(c).find((x) => rev(x) === "2") as KubeObject;
    const cond = get(c).status.conditions.find((x: { type: string }) => x.type === "Progressing");
    expect(cond).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
    });
    // maxUnavailable 25% of 2 rounds down to 0: the old pods all stay.
    expect(get(c).status.availableReplicas).toBe(2);
  });

  it("Recreate scales the old set to zero before starting new pods", () => {
    const c = setup(2, { strategy: { type: "Recreate" } });
    advance(c, 5);
    setImage(c, "nginx:1.26");
    c.step(1000);
    const sets = rsList(c);
    expect(sets).toHaveLength(1);
    expect(sets[0]?.spec.replicas).toBe(0);
  });

  it("prunes old ReplicaSets beyond revisionHistoryLimit", () => {
    const c = setup(1, { revisionHistoryLimit: 1 });
    advance(c, 10);
    for (const v of ["1.26", "1.27", "1.28"]) {
      setImage(c, `nginx:${v}`);
      advance(c, 30);
    }
    expect(rsList(c).map(rev).sort()).toEqual(["3", "4"]);
    expect(get(c).status).toMatchObject({ updatedReplicas: 1, availableReplicas: 1 });
  });
});
