import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../server/test-harness.ts";
import { node, pod } from "./test-fixtures.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const c = h.cluster;
  c.apply([
    node("node-1"),
    node("node-2", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }),
  ]);
  const env = [
    { name: "DB_URL", valueFrom: { configMapKeyRef: { name: "api-config", key: "DB_URL" } } },
  ];
  c.apply([
    pod("crash", {
      command: ["sh", "-c", 'if [ -z "$DB_URL" ]; then echo "DB_URL is not set"; exit 1; fi'],
    }),
    pod("config", { env }),
    pod("huge", { resources: { requests: { cpu: "64" } } }),
    pod("job", { command: ["sh", "-c", "echo ok"] }, { restartPolicy: "Never" }),
    pod("web"),
  ]);
  c.step(40_000);
});

afterAll(async () => {
  await h.close();
});

describe("kubectl sees the physics", () => {
  it("shows each fault in the STATUS column of kubectl get pods", async () => {
    const r = await h.kubectl(["get", "pods"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/crash\s+0\/1\s+CrashLoopBackOff\s+3 \(\d+s ago\)/);
    expect(r.stdout).toMatch(/config\s+0\/1\s+CreateContainerConfigError\s+0/);
    expect(r.stdout).toMatch(/huge\s+0\/1\s+Pending\s+0/);
    expect(r.stdout).toMatch(/job\s+0\/1\s+Completed\s+0/);
    expect(r.stdout).toMatch(/web\s+1\/1\s+Running\s+0/);
  });

  it("explains the pending pod in kubectl describe", async () => {
    const r = await h.kubectl(["describe", "pod", "huge"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.",
    );
    expect(r.stdout).toMatch(/Warning\s+FailedScheduling/);
  });

  it("reads the crashed container's previous log", async () => {
    const r = await h.kubectl(["logs", "crash", "--previous"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("DB_URL is not set");
  });
});
