import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { analyzeServices } from "./services.ts";

const NOW = Date.parse("2026-11-28T12:00:00Z");

function snapshot(podAgeMs: number, ready: boolean) {
  const snap = emptySnapshot();
  for (const name of ["web-1", "web-2"])
    snap.pods.push({
      metadata: {
        name,
        namespace: "shop",
        labels: { app: "web" },
        creationTimestamp: new Date(NOW - podAgeMs),
      },
      spec: { containers: [{ name: "web", ports: [{ containerPort: 8080, name: "http" }] }] },
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      },
    } as V1Pod);
  snap.services.push({
    metadata: { name: "web", namespace: "shop" },
    spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" as never }] },
  });
  snap.endpoints.push({
    metadata: { name: "web", namespace: "shop" },
    subsets: ready ? [{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }] }] : [],
  });
  return snap;
}

describe("service analyzer", () => {
  it("waits two minutes before calling unready new pods a Service outage", () => {
    expect(analyzeServices(snapshot(30_000, false), NOW)).toEqual([]);
    const [f] = analyzeServices(snapshot(5 * 60_000, false), NOW);
    expect(f?.reason).toBe("NoEndpoints");
    expect(f?.rootCause).toContain(
      "none of its 2 selected pods is ready (web-1, web-2: Running, not ready x2)",
    );
    expect(f?.affected.map((a) => a.name)).toEqual(["web-1", "web-2"]);
  });

  it("gives nothing for a Service whose named targetPort resolves and whose pods are ready", () => {
    expect(analyzeServices(snapshot(5 * 60_000, true), NOW)).toEqual([]);
  });
});
