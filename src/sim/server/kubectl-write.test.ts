import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, runningPod, startHarness } from "./test-harness.ts";

let h: Harness;

const deployment = (replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - {name: app, image: "api:v1", env: [{name: MODE, value: "a"}]}
      - {name: side, image: "side:v1"}
`;

beforeAll(async () => {
  h = await startHarness();
  h.cluster.store.create("nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n1" },
    spec: {},
  });
  runningPod(h.cluster, "web");
});

afterAll(async () => {
  await h.close();
});

describe("kubectl writes through the simulated API server", () => {
  it("cordons and uncordons a node with strategic merge patches", async () => {
    expect((await h.kubectl(["cordon", "n1"])).code).toBe(0);
    expect(h.cluster.store.get("nodes", undefined, "n1")?.spec.unschedulable).toBe(true);
    const table = await h.kubectl(["get", "nodes"]);
    expect(table.stdout).toMatch(/n1\s+Unknown,SchedulingDisabled/);
    expect((await h.kubectl(["uncordon", "n1"])).code).toBe(0);
    expect(h.cluster.store.get("nodes", undefined, "n1")?.spec.unschedulable).toBeUndefined();
  });

  it("creates with apply -f, then updates through a client-side apply patch", async () => {
    const created = await h.kubectl(["apply", "-f", "-"], { input: deployment(1) });
    expect(created.stdout).toContain("deployment.apps/api created");
    const updated = await h.kubectl(["apply", "-f", "-"], { input: deployment(2) });
    expect(updated.stdout).toContain("deployment.apps/api configured");
    const d = h.cluster.store.get("deployments.apps", "default", "api");
    expect(d?.spec.replicas).toBe(2);
    expect(d?.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]).toContain(
      '"replicas":2',
    );
  });

  it("scales a deployment through the scale subresource", async () => {
    const r = await h.kubectl(["scale", "deploy/api", "--replicas=3"]);
    expect(r.stdout).toContain("deployment.apps/api scaled");
    expect(h.cluster.store.get("deployments.apps", "default", "api")?.spec.replicas).toBe(3);
  });

  it("sets one container's image and keeps the container order ($setElementOrder)", async () => {
    const r = await h.kubectl(["set", "image", "deploy/api", "app=api:v9"]);
    expect(r.code).toBe(0);
    const cs = h.cluster.store.get("deployments.apps", "default", "api")?.spec.template.spec
      .containers;
    expect(cs.map((c: { name: string; image: string }) => `${c.name}=${c.image}`)).toEqual([
      "app=api:v9",
      "side=side:v1",
    ]);
    expect(cs[0].env).toEqual([{ name: "MODE", value: "a" }]);
  });

  it("patches with strategic, merge and JSON patches and labels", async () => {
    const env =
      '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"DEBUG","value":"1"}]}]}}}}';
    expect((await h.kubectl(["patch", "deploy", "api", "-p", env])).code).toBe(0);
    let d = h.cluster.store.get("deployments.apps", "default", "api");
    expect(d?.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual([
      "MODE",
      "DEBUG",
    ]);
    expect(
      (
        await h.kubectl([
          "patch",
          "deploy",
          "api",
          "--type=merge",
          "-p",
          '{"metadata":{"labels":{"team":"a"}}}',
        ])
      ).code,
    ).toBe(0);
    const json =
      '[{"op":"replace","path":"/spec/template/spec/containers/1/image","value":"side:v2"}]';
    expect((await h.kubectl(["patch", "deploy", "api", "--type=json", "-p", json])).code).toBe(0);
    expect((await h.kubectl(["label", "pod", "web", "tier=front"])).code).toBe(0);
    d = h.cluster.store.get("deployments.apps", "default", "api");
    expect(d?.metadata.labels).toEqual({ team: "a" });
    expect(d?.spec.template.spec.containers[1].image).toBe("side:v2");
    expect(h.cluster.store.get("pods", "default", "web")?.metadata.labels?.tier).toBe("front");
  });

  it("persists nothing on a server-side apply dry run, then creates on a real one", async () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1}\ndata: {a: b}\n";
    const dry = await h.kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], {
      input: cm,
    });
    expect(dry.stdout).toContain("configmap/c1 serverside-applied (server dry run)");
    expect(h.cluster.store.get("configmaps", "default", "c1")).toBeUndefined();
    const real = await h.kubectl(["apply", "--server-side", "-f", "-"], { input: cm });
    expect(real.code).toBe(0);
    expect(h.cluster.store.get("configmaps", "default", "c1")?.data).toEqual({ a: "b" });
  });

  it("deletes an object and reports a missing one as NotFound", async () => {
    const r = await h.kubectl(["delete", "configmap", "c1"]);
    expect(r.stdout).toContain('configmap "c1" deleted');
    expect(h.cluster.store.get("configmaps", "default", "c1")).toBeUndefined();
    const again = await h.kubectl(["delete", "configmap", "c1"]);
    expect(again.stderr).toContain('Error from server (NotFound): configmaps "c1" not found');
  });

  it("serves a custom resource once its CRD exists", async () => {
    const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`;
    expect((await h.kubectl(["apply", "-f", "-"], { input: crd })).code).toBe(0);
    const w = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n";
    const created = await h.kubectl(["apply", "-f", "-"], { input: w });
    expect(created.stdout).toContain("widget.example.com/w1 created");
    const list = await h.kubectl(["get", "wd"]);
    expect(list.stdout).toMatch(/^NAME\s+AGE\nw1\s+/);
  });

  it("creates objects through kubectl's generators, which post protobuf", async () => {
    for (const args of [
      ["create", "namespace", "team-a"],
      ["create", "secret", "generic", "creds", "--from-literal=user=admin"],
      ["create", "deployment", "gen", "--image=gen:1", "--port=8080", "--replicas=2"],
      ["create", "job", "once", "--image=busybox", "--", "echo", "hi"],
      ["create", "service", "clusterip", "gen", "--tcp=80:8080"],
      ["create", "pdb", "gen", "--selector=app=gen", "--max-unavailable=50%"],
    ]) {
      const r = await h.kubectl(args);
      expect(r.stderr).toBe("");
    }
    expect(h.cluster.store.get("namespaces", undefined, "team-a")).toBeDefined();
    expect(h.cluster.store.get("secrets", "default", "creds")?.data).toEqual({ user: "YWRtaW4=" });
    const d = h.cluster.store.get("deployments.apps", "default", "gen");
    expect(d?.spec.replicas).toBe(2);
    expect(d?.spec.template.spec.containers[0]).toMatchObject({
      name: "gen",
      image: "gen:1",
      ports: [{ containerPort: 8080 }],
    });
    expect(h.cluster.store.get("services", "default", "gen")?.spec.ports).toEqual([
      { name: "80-8080", port: 80, protocol: "TCP", targetPort: 8080 },
    ]);
    expect(
      h.cluster.store.get("poddisruptionbudgets.policy", "default", "gen")?.spec.maxUnavailable,
    ).toBe("50%");
    const job = h.cluster.store.get("jobs.batch", "default", "once");
    expect(job?.spec.template.spec.containers[0].command).toEqual(["echo", "hi"]);
  });

  it("autoscales through autoscaling/v1, stored and listed as autoscaling/v2", async () => {
    const r = await h.kubectl([
      "autoscale",
      "deploy",
      "api",
      "--min=2",
      "--max=5",
      "--cpu-percent=70",
    ]);
    expect(r.stdout).toContain("horizontalpodautoscaler.autoscaling/api autoscaled");
    const stored = h.cluster.store.get("horizontalpodautoscalers.autoscaling", "default", "api");
    expect(stored?.apiVersion).toBe("autoscaling/v2");
    expect(stored?.spec.metrics[0].resource.target).toEqual({
      type: "Utilization",
      averageUtilization: 70,
    });
    const table = await h.kubectl(["get", "hpa"]);
    expect(table.stdout).toMatch(/api\s+Deployment\/api\s+cpu: <unknown>\/70%\s+2\s+5/);
    const v1 = await fetch(
      `${h.cluster.url}/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/api`,
    );
    expect(await v1.json()).toMatchObject({
      apiVersion: "autoscaling/v1",
      spec: { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    });
  });
});
