import { describe, expect, it } from "vitest";
import { openRegistry, SimCluster } from "../cluster.ts";
import { condition, containerStatus, eventsFor, getPod, node, pod } from "./test-fixtures.ts";

function cluster(images = openRegistry({})): SimCluster {
  const c = new SimCluster({ images });
  c.apply([node("node-1")]);
  return c;
}

const configMap = (name: string, data: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
  data,
});

describe("kubelet configuration errors", () => {
  it("holds a container whose env references a missing ConfigMap in CreateContainerConfigError, then starts it once the ConfigMap exists", () => {
    const c = cluster();
    const env = [
      { name: "DB_URL", valueFrom: { configMapKeyRef: { name: "api-config", key: "DB_URL" } } },
    ];
    c.apply([pod("api", { env })]);
    c.step(3000);
    const waiting = containerStatus(c, "api").state.waiting;
    expect(waiting).toEqual({
      reason: "CreateContainerConfigError",
      message: 'configmap "api-config" not found',
    });
    expect(getPod(c, "api").status.phase).toBe("Pending");
    const failed = eventsFor(c, "api").find((e) => e.reason === "Failed");
    expect(failed).toMatchObject({
      type: "Warning",
      message: 'Error: configmap "api-config" not found',
    });
    c.step(20_000);
    expect(eventsFor(c, "api").find((e) => e.reason === "Failed")?.count).toBeGreaterThan(1);
    c.apply([configMap("api-config", { OTHER: "x" })]);
    c.step(11_000);
    expect(containerStatus(c, "api").state.waiting.message).toBe(
      "couldn't find key DB_URL in ConfigMap default/api-config",
    );
    c.apply([configMap("api-config", { DB_URL: "postgres://db" })]);
    c.step(11_000);
    expect(containerStatus(c, "api").state.running).toBeDefined();
  });

  it("reports a missing secret from envFrom", () => {
    const c = cluster();
    c.apply([pod("api", { envFrom: [{ secretRef: { name: "api-creds" } }] })]);
    c.step(2000);
    expect(containerStatus(c, "api").state.waiting.message).toBe('secret "api-creds" not found');
  });

  it("keeps a pod with a missing ConfigMap volume in ContainerCreating with FailedMount events", () => {
    const c = cluster();
    c.apply([
      pod(
        "api",
        { volumeMounts: [{ name: "config", mountPath: "/etc/app" }] },
        { volumes: [{ name: "config", configMap: { name: "app-settings" } }] },
      ),
    ]);
    c.step(10_000);
    expect(containerStatus(c, "api").state.waiting).toEqual({ reason: "ContainerCreating" });
    const mount = eventsFor(c, "api").find((e) => e.reason === "FailedMount");
    expect(mount?.message).toBe(
      'MountVolume.SetUp failed for volume "config" : configmap "app-settings" not found',
    );
    expect(mount?.count).toBeGreaterThan(1);
    c.apply([configMap("app-settings", { "app.yaml": "a: 1" })]);
    c.step(20_000);
    expect(getPod(c, "api").status.phase).toBe("Running");
  });

  it("fails to pull an unknown tag with ErrImagePull, then backs off with ImagePullBackOff", () => {
    const c = cluster(openRegistry({ repositories: { "ghcr.io/acme/api": ["1.0"] } }));
    const image = "ghcr.io/acme/api:1.1";
    c.apply([pod("api", { image })]);
    c.step(1000);
    expect(containerStatus(c, "api").state.waiting.reason).toBe("ErrImagePull");
    const failed = eventsFor(c, "api")
      .filter((e) => e.reason === "Failed")
      .map((e) => e.message);
    expect(failed).toContain(
      `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
    );
    expect(failed).toContain("Error: ErrImagePull");
    c.step(2000);
    expect(containerStatus(c, "api").state.waiting).toEqual({
      reason: "ImagePullBackOff",
      message: `Back-off pulling image "${image}"`,
    });
    expect(eventsFor(c, "api").find((e) => e.reason === "BackOff")?.message).toBe(
      `Back-off pulling image "${image}"`,
    );
    c.step(60_000);
    const pulling = eventsFor(c, "api").find((e) => e.reason === "Pulling");
    // Attempts at 1 s, 11 s, 31 s: the pull back-off doubles from 10 s.
    expect(pulling?.count).toBe(3);
  });

  it("cannot create the sandbox when the node's subnet has no free IPs", () => {
    const c = new SimCluster();
    c.apply([node("node-1", { annotations: { "sim.opsloop.dev/node": "subnetFreeIPs: 0" } })]);
    c.apply([pod("api")]);
    c.step(30_000);
    const p = getPod(c, "api");
    expect(p.status.podIP).toBeUndefined();
    expect(containerStatus(c, "api").state.waiting.reason).toBe("ContainerCreating");
    expect(condition(p, "PodReadyToStartContainers")?.status).toBe("False");
    const ev = eventsFor(c, "api").filter((e) => e.reason === "FailedCreatePodSandBox");
    expect(ev.length).toBeGreaterThan(1);
    expect(ev[0]?.message).toMatch(
      /^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="aws-cni" name="aws-cni" failed \(add\): add cmd: failed to assign an IP address to container$/,
    );
  });

  it("pulls the new image at once when the pod's image is fixed", () => {
    const c = cluster(openRegistry({ repositories: { "ghcr.io/acme/api": ["1.0"] } }));
    c.apply([pod("api", { image: "ghcr.io/acme/api:1.1" })]);
    c.step(5000);
    expect(containerStatus(c, "api").state.waiting.reason).toBe("ImagePullBackOff");
    c.store.mutate("pods", "default", "api", (d) => {
      d.spec.containers[0].image = "ghcr.io/acme/api:1.0";
    });
    c.step(1000);
    expect(containerStatus(c, "api").state.running).toBeDefined();
    expect(containerStatus(c, "api").imageID).toMatch(/^ghcr\.io\/acme\/api@sha256:/);
  });

  it("spends the subnet's free IPs: once they are gone new pods cannot get a sandbox", () => {
    const c = new SimCluster();
    c.apply([node("node-1", { annotations: { "sim.opsloop.dev/node": "subnetFreeIPs: 1" } })]);
    c.apply([pod("first"), pod("second")]);
    c.step(5000);
    expect(getPod(c, "first").status.phase).toBe("Running");
    expect(getPod(c, "second").status.podIP).toBeUndefined();
    expect(eventsFor(c, "second").some((e) => e.reason === "FailedCreatePodSandBox")).toBe(true);
    c.store.delete("pods", "default", "first");
    c.step(70_000);
    expect(getPod(c, "second").status.phase).toBe("Running");
  });

  it("mounts the kube-api-access projected volume that manifests from real clusters carry", () => {
    const c = cluster();
    const projected = {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }],
          },
        },
      ],
    };
    c.apply([pod("api", {}, { volumes: [{ name: "kube-api-access-x1", projected }] })]);
    c.step(2000);
    expect(getPod(c, "api").status.phase).toBe("Running");
  });
});
