import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import { condition, containerStatus, eventsFor, getPod, node, pod } from "./test-fixtures.ts";

function cluster(): SimCluster {
  const c = new SimCluster();
  c.apply([node("node-1")]);
  return c;
}

describe("kubelet", () => {
  it("schedules, pulls, creates and starts a healthy pod", () => {
    const c = cluster();
    c.apply([pod("web")]);
    c.step(3000);
    const p = getPod(c, "web");
    expect(p.spec.nodeName).toBe("node-1");
    expect(p.status.phase).toBe("Running");
    expect(p.status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(p.status.hostIP).toBe("10.0.0.4");
    expect(p.status.qosClass).toBe("BestEffort");
    expect(condition(p, "Ready")?.status).toBe("True");
    expect(containerStatus(c, "web").state.running.startedAt).toBeDefined();
    const reasons = eventsFor(c, "web").map((e) => e.reason);
    expect(reasons).toEqual(["Scheduled", "Pulling", "Pulled", "Created", "Started"]);
    expect(eventsFor(c, "web")[0]?.message).toBe("Successfully assigned default/web to node-1");
    expect(eventsFor(c, "web")[3]?.message).toBe("Created container: app");
  });
});
