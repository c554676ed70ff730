import { describe, expect, it } from "vitest";
import { containerStatus, eventsWith, metricValues, podsOf, startScenario } from "./harness.ts";

describe("demo scenario", () => {
  it("breaks api on the missing ConfigMap and OOM-kills the leaking worker near 20 minutes", () => {
    const { cluster } = startScenario("demo");
    cluster.step(60_000);
    const api = podsOf(cluster, "shop", "api");
    expect(api).toHaveLength(2);
    for (const pod of api) {
      const waiting = containerStatus(pod)?.state?.waiting;
      expect(waiting?.reason).toBe("CreateContainerConfigError");
      expect(waiting?.message).toBe('configmap "api-config" not found');
    }
    expect(eventsWith(cluster, "Failed", "shop").length).toBeGreaterThan(0);

    // web calls api, which has no ready endpoints: web's requests fail with 503.
    const early = cluster.telemetry.render();
    expect(
      metricValues(early, "http_requests_total", { namespace: "shop", code: "503" }).some(
        (v) => v > 0,
      ),
    ).toBe(true);

    cluster.step(17 * 60_000);
    const [worker] = podsOf(cluster, "shop", "worker");
    expect(worker && containerStatus(worker)?.restartCount).toBe(0);
    const mem = metricValues(cluster.telemetry.render(), "container_memory_working_set_bytes", {
      container: "worker",
    });
    expect(mem[0]).toBeGreaterThan(400 * 2 ** 20);

    cluster.step(5 * 60_000);
    const [after] = podsOf(cluster, "shop", "worker");
    const st = after ? containerStatus(after) : undefined;
    expect(st?.lastState?.terminated?.reason).toBe("OOMKilled");
    expect(st?.lastState?.terminated?.exitCode).toBe(137);
    const oom = metricValues(cluster.telemetry.render(), "container_oom_events_total", {
      container: "worker",
    });
    expect(oom[0]).toBe(1);
  });

  it("labels the payments namespace as protected", () => {
    const { cluster } = startScenario("demo");
    const ns = cluster.store.get("namespaces", undefined, "payments");
    expect(ns?.metadata.labels?.["opsloop.dev/protected"]).toBe("true");
  });
});
