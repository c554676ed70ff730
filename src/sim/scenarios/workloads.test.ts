import { describe, expect, it } from "vitest";
import { containerStatus, eventsWith, metricValues, podsOf, startScenario } from "./harness.ts";

const MIN = 60_000;

describe("workload fault scenarios", () => {
  it("missing-configmap leaves api in CreateContainerConfigError naming the ConfigMap", () => {
    const { cluster } = startScenario("missing-configmap");
    cluster.step(MIN);
    const api = podsOf(cluster, "shop", "api");
    expect(api).toHaveLength(2);
    for (const pod of api) {
      expect(containerStatus(pod)?.state?.waiting).toMatchObject({
        reason: "CreateContainerConfigError",
        message: 'configmap "api-config" not found',
      });
    }
    const failed = eventsWith(cluster, "Failed", "shop");
    expect(failed.map((e) => (e as { message?: string }).message)).toContain(
      'Error: configmap "api-config" not found',
    );
  });

  it("app-crash-missing-env crash-loops with exit 1 and logs the missing variable", () => {
    const { cluster } = startScenario("app-crash-missing-env");
    cluster.step(3 * MIN);
    const [pod] = podsOf(cluster, "shop", "api");
    if (!pod) throw new Error("no api pod");
    const st = containerStatus(pod);
    expect(st?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    expect(st?.lastState?.terminated).toMatchObject({ reason: "Error", exitCode: 1 });
    expect(st?.restartCount).toBeGreaterThanOrEqual(3);
    const logs = cluster.sim.ctx.logs.read("shop", pod.metadata.name as string, "api", true) ?? [];
    expect(logs.map((l) => l.text)).toContain(
      "FATAL: required environment variable DATABASE_URL is not set",
    );
    expect(eventsWith(cluster, "BackOff", "shop").length).toBeGreaterThan(0);
  });

  it("bad-rollout crashes only the new revision while the old pods keep running", () => {
    const { cluster, timeline } = startScenario("bad-rollout");
    cluster.step(MIN);
    expect(timeline.fired).toHaveLength(0);
    cluster.step(4 * MIN);
    expect(timeline.fired).toHaveLength(1);
    const pods = podsOf(cluster, "shop", "api");
    const images = (p: (typeof pods)[number]) =>
      (p.spec?.containers as Array<{ image: string }> | undefined)?.[0]?.image;
    const next = pods.filter((p) => images(p) === "ghcr.io/acme/api:2.5.0");
    const old = pods.filter((p) => images(p) === "ghcr.io/acme/api:2.4.0");
    expect(next.length).toBeGreaterThan(0);
    expect(old.length).toBeGreaterThan(0);
    for (const p of next) {
      expect(containerStatus(p)?.state?.waiting?.reason).toBe("CrashLoopBackOff");
      expect(containerStatus(p)?.lastState?.terminated?.exitCode).toBe(2);
    }
    for (const p of old) expect(containerStatus(p)?.state?.running).toBeDefined();
  });

  it("oom-kill ends every start in OOMKilled with exit code 137", () => {
    const { cluster } = startScenario("oom-kill");
    cluster.step(2 * MIN);
    const [pod] = podsOf(cluster, "batch", "worker");
    if (!pod) throw new Error("no worker pod");
    const st = containerStatus(pod);
    expect(st?.lastState?.terminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    expect(st?.restartCount).toBeGreaterThanOrEqual(2);
    const text = cluster.telemetry.render();
    const labels = { namespace: "batch", container: "worker" };
    expect(
      metricValues(text, "kube_pod_container_status_last_terminated_reason", {
        ...labels,
        reason: "OOMKilled",
      }),
    ).toEqual([1]);
    expect(metricValues(text, "container_oom_events_total", labels)[0]).toBeGreaterThanOrEqual(2);
  });

  it("memory-leak grows the working set linearly and is OOMKilled after about 25 minutes", () => {
    const { cluster } = startScenario("memory-leak");
    const samples: number[] = [];
    for (let i = 0; i < 4; i++) {
      cluster.step(5 * MIN);
      const v = metricValues(cluster.telemetry.render(), "container_memory_working_set_bytes", {
        container: "worker",
      });
      samples.push(v[0] ?? 0);
    }
    // 12Mi per minute from 100Mi: 160, 220, 280, 340 Mi at 5, 10, 15, 20 minutes.
    expect(samples.map((b) => Math.round(b / 2 ** 20))).toEqual([160, 220, 280, 340]);
    const [before] = podsOf(cluster, "batch", "worker");
    expect(before && containerStatus(before)?.restartCount).toBe(0);
    cluster.step(6 * MIN);
    const [after] = podsOf(cluster, "batch", "worker");
    if (!after) throw new Error("no worker pod");
    expect(containerStatus(after)?.lastState?.terminated).toMatchObject({
      reason: "OOMKilled",
      exitCode: 137,
    });
  }, 60_000);

  it("image-pull backs off pulling a tag the registry does not have", () => {
    const { cluster } = startScenario("image-pull");
    cluster.step(2 * MIN);
    for (const pod of podsOf(cluster, "shop", "api")) {
      expect(containerStatus(pod)?.state?.waiting).toMatchObject({
        reason: "ImagePullBackOff",
        message: 'Back-off pulling image "ghcr.io/acme/api:2.4.1"',
      });
    }
    const messages = eventsWith(cluster, "Failed", "shop").map(
      (e) => (e as { message?: string }).message ?? "",
    );
    expect(
      messages.some((m) =>
        m.startsWith('Failed to pull image "ghcr.io/acme/api:2.4.1": rpc error: code = NotFound'),
      ),
    ).toBe(true);
    expect(messages).toContain("Error: ErrImagePull");
  });
});
