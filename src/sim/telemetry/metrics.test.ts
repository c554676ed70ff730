import { describe, expect, it } from "vitest";
import { parseExposition } from "../../sources/prometheus/scrape.ts";
import { SimCluster } from "../cluster.ts";
import { startScenario } from "../scenarios/harness.ts";

const MIN = 60_000;

function counterValues(text: string): Map<string, number> {
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m?.[1] && m[2]) types.set(m[1], m[2]);
  }
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    const name = line.slice(0, line.search(/[{ ]/));
    const family = name.replace(/_(bucket|sum|count)$/, "");
    const type = types.get(name) ?? types.get(family);
    if (type === "counter" || type === "histogram") {
      out.set(line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1)));
    }
  }
  return out;
}

describe("simulator /metrics", () => {
  it("renders exposition text that a Prometheus text parser reads back", () => {
    const { cluster } = startScenario("demo");
    cluster.step(2 * MIN);
    const text = cluster.telemetry.render();
    const samples = parseExposition(text, cluster.clock.now());
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      "container_memory_working_set_bytes",
      "container_cpu_usage_seconds_total",
      "kube_pod_status_phase",
      "kube_pod_container_status_waiting_reason",
      "kube_deployment_status_replicas_available",
      "kube_node_status_condition",
      "kube_node_status_allocatable",
      "node_filesystem_avail_bytes",
      "node_memory_MemAvailable_bytes",
      "http_requests_total",
      "http_request_duration_seconds_bucket",
    ]) {
      expect(names, name).toContain(name);
    }
    const waiting = samples.filter((s) => s.name === "kube_pod_container_status_waiting_reason");
    expect(waiting.map((s) => s.labels.reason)).toEqual([
      "CreateContainerConfigError",
      "CreateContainerConfigError",
    ]);
    const api = samples.find(
      (s) =>
        s.name === "kube_deployment_status_replicas_available" && s.labels.deployment === "api",
    );
    expect(api?.v).toBe(0);
  });

  it("keeps every counter and histogram monotonic across scrapes", () => {
    const { cluster } = startScenario("memory-leak");
    let previous = counterValues(cluster.telemetry.render());
    for (let i = 0; i < 6; i++) {
      cluster.step(5 * MIN);
      const next = counterValues(cluster.telemetry.render());
      for (const [series, v] of previous) {
        const now = next.get(series);
        if (now !== undefined) expect(now, series).toBeGreaterThanOrEqual(v);
      }
      previous = next;
    }
    const cpu = [...previous].filter(([k]) => k.startsWith("container_cpu_usage_seconds_total"));
    expect(cpu.length).toBeGreaterThan(0);
    expect(cpu.every(([, v]) => v > 0)).toBe(true);
  }, 60_000);

  it("is deterministic for a seed", () => {
    const render = () => {
      const { cluster } = startScenario("latency-cascade", { seed: 7 });
      cluster.step(5 * MIN);
      return cluster.telemetry.render().replace(/uid="[^"]+"/g, "");
    };
    expect(render()).toBe(render());
  });

  it("serves /metrics over HTTP next to the Kubernetes API", async () => {
    const cluster = new SimCluster();
    const url = await cluster.listen({ port: 0, host: "127.0.0.1" });
    try {
      cluster.apply([{ apiVersion: "v1", kind: "Node", metadata: { name: "node-a-1" } }]);
      cluster.step(20_000);
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const body = await res.text();
      expect(body).toContain(
        'kube_node_status_condition{node="node-a-1",condition="Ready",status="true"} 1',
      );
      expect(body).toMatch(
        /node_filesystem_avail_bytes\{node="node-a-1",[^}]*mountpoint="\/"\} 75161927680/,
      );
    } finally {
      await cluster.close();
    }
  });
});
