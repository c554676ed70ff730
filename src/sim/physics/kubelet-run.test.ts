import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import { expandRefs } from "./kubelet/config.ts";
import { condition, containerStatus, eventsFor, getPod, node, pod } from "./test-fixtures.ts";

function cluster(): SimCluster {
  const c = new SimCluster();
  c.apply([node("node-1")]);
  return c;
}

const needsDbUrl = {
  command: [
    "sh",
    "-c",
    'if [ -z "$DB_URL" ]; then echo "DB_URL is not set" >&2; exit 1; fi; exec /server',
  ],
};

describe("kubelet container runs", () => {
  it("interprets the command script: a missing env var is logged and the container crash-loops with doubling back-off", () => {
    const c = cluster();
    c.apply([pod("api", needsDbUrl)]);
    const uid = getPod(c, "api").metadata.uid;
    c.step(1000);
    expect(containerStatus(c, "api").state.terminated).toMatchObject({
      exitCode: 1,
      reason: "Error",
    });
    c.step(2000);
    let s = containerStatus(c, "api");
    expect(s.restartCount).toBe(1);
    expect(s.state.waiting).toEqual({
      reason: "CrashLoopBackOff",
      message: `back-off 10s restarting failed container=app pod=api_default(${uid})`,
    });
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(c.sim.ctx.logs.read("default", "api", "app", true)?.map((l) => l.text)).toEqual([
      "DB_URL is not set",
    ]);
    c.step(10_000);
    s = containerStatus(c, "api");
    expect(s.restartCount).toBe(2);
    expect(s.state.waiting.message).toMatch(/^back-off 20s /);
    c.step(20_000);
    expect(containerStatus(c, "api").restartCount).toBe(3);
    expect(containerStatus(c, "api").state.waiting.message).toMatch(/^back-off 40s /);
    expect(getPod(c, "api").status.phase).toBe("Running");
    expect(condition(getPod(c, "api"), "Ready")).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [app]",
    });
    const backOff = eventsFor(c, "api").find((e) => e.reason === "BackOff");
    expect(backOff?.message).toBe(
      `Back-off restarting failed container app in pod api_default(${uid})`,
    );
    expect(backOff?.type).toBe("Warning");
    expect(backOff?.count).toBeGreaterThan(1);
  });

  it("runs the script to the server when the env var is set", () => {
    const c = cluster();
    c.apply([pod("api", { ...needsDbUrl, env: [{ name: "DB_URL", value: "postgres://db" }] })]);
    c.step(60_000);
    expect(containerStatus(c, "api").state.running).toBeDefined();
    expect(containerStatus(c, "api").restartCount).toBe(0);
  });

  it("expands $(VAR) references in command and args before the shell runs", () => {
    const c = cluster();
    const env = [{ name: "GREETING", value: "hello" }];
    const args = ["echo $(GREETING) world; exit 4"];
    c.apply([pod("hi", { env, command: ["sh", "-c"], args }, { restartPolicy: "Never" })]);
    c.step(2000);
    expect(c.sim.ctx.logs.read("default", "hi", "app")?.map((l) => l.text)).toEqual([
      "hello world",
    ]);
    expect(containerStatus(c, "hi").state.terminated.exitCode).toBe(4);
    expect(expandRefs("$$(GREETING) $(GREETING) $(UNSET)", { GREETING: "hi" })).toBe(
      "$(GREETING) hi $(UNSET)",
    );
  });

  it("OOM-kills a leaking container at its memory limit with exit code 137", () => {
    const c = cluster();
    const resources = { limits: { memory: "128Mi" }, requests: { memory: "128Mi" } };
    c.apply([pod("leak", { resources }, {}, { memory: { baseMi: 64, leakMiPerMinute: 100 } })]);
    c.step(30_000);
    expect(containerStatus(c, "leak").state.running).toBeDefined();
    c.step(12_000);
    const s = containerStatus(c, "leak");
    expect(s.restartCount).toBe(1);
    expect(s.lastState.terminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    expect(getPod(c, "leak").status.qosClass).toBe("Burstable");
  });

  it("crashes as the behaviour says, writing its last log lines", () => {
    const c = cluster();
    const behaviour = {
      crash: { afterSeconds: 5, exitCode: 2, log: ["panic: nil map"] },
      logs: { start: ["listening on :8080"] },
    };
    c.apply([pod("api", {}, {}, behaviour)]);
    c.step(8000);
    const s = containerStatus(c, "api");
    expect(s.lastState.terminated).toMatchObject({ exitCode: 2, reason: "Error" });
    expect(c.sim.ctx.logs.read("default", "api", "app", true)?.map((l) => l.text)).toEqual([
      "listening on :8080",
      "panic: nil map",
    ]);
  });

  it("fails liveness probes, kills and restarts the container; readiness waits for initialDelaySeconds", () => {
    const c = cluster();
    const probe = {
      httpGet: { path: "/healthz", port: 8080 },
      periodSeconds: 10,
      failureThreshold: 3,
    };
    const readinessProbe = { ...probe, initialDelaySeconds: 5 };
    c.apply([
      pod("api", { livenessProbe: probe, readinessProbe }, {}, { probesFailAfterSeconds: 30 }),
    ]);
    c.step(3000);
    expect(containerStatus(c, "api").ready).toBe(false);
    c.step(4000);
    expect(containerStatus(c, "api").ready).toBe(true);
    expect(condition(getPod(c, "api"), "Ready")?.status).toBe("True");
    c.step(50_000);
    const events = eventsFor(c, "api");
    const unhealthy = events.filter((e) => e.reason === "Unhealthy").map((e) => e.message);
    expect(unhealthy).toContain("Liveness probe failed: HTTP probe failed with statuscode: 500");
    expect(unhealthy).toContain("Readiness probe failed: HTTP probe failed with statuscode: 500");
    expect(events.find((e) => e.reason === "Killing")?.message).toBe(
      "Container app failed liveness probe, will be restarted",
    );
    const s = containerStatus(c, "api");
    expect(s.restartCount).toBe(1);
    expect(s.lastState.terminated.exitCode).toBe(137);
  });

  it("holds liveness and readiness until the startup probe passes, and restarts a container that never starts", () => {
    const c = cluster();
    const startupProbe = { tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 2 };
    const readinessProbe = { httpGet: { path: "/ready", port: 8080 } };
    c.apply([
      pod("slow", { startupProbe, readinessProbe }),
      pod("stuck", { startupProbe }, {}, { probesFailAfterSeconds: 0 }),
    ]);
    c.step(1000);
    expect(containerStatus(c, "slow").started).toBe(true);
    expect(containerStatus(c, "slow").ready).toBe(true);
    c.step(12_000);
    const s = containerStatus(c, "stuck");
    expect(s.started).toBe(false);
    expect(s.restartCount).toBe(1);
    const events = eventsFor(c, "stuck");
    expect(events.find((e) => e.reason === "Unhealthy")?.message).toMatch(
      /^Startup probe failed: dial tcp 10\.244\.0\.\d+:8080: connect: connection refused$/,
    );
    expect(events.find((e) => e.reason === "Killing")?.message).toBe(
      "Container app failed startup probe, will be restarted",
    );
  });

  it("completes job-style pods: exit 0 succeeds, Never with a failure fails, OnFailure retries", () => {
    const c = cluster();
    c.apply([
      pod("ok", { command: ["sh", "-c", "echo done"] }, { restartPolicy: "Never" }),
      pod("bad", { command: ["sh", "-c", "exit 3"] }, { restartPolicy: "Never" }),
      pod("retry", { command: ["sh", "-c", "exit 3"] }, { restartPolicy: "OnFailure" }),
    ]);
    c.step(5000);
    expect(getPod(c, "ok").status.phase).toBe("Succeeded");
    expect(containerStatus(c, "ok").state.terminated).toMatchObject({
      reason: "Completed",
      exitCode: 0,
    });
    expect(condition(getPod(c, "ok"), "Ready")?.reason).toBe("PodCompleted");
    expect(getPod(c, "bad").status.phase).toBe("Failed");
    expect(containerStatus(c, "bad").state.terminated.exitCode).toBe(3);
    expect(getPod(c, "retry").status.phase).toBe("Running");
    expect(containerStatus(c, "retry").restartCount).toBeGreaterThan(0);
  });

  it("runs init containers before the app containers", () => {
    const c = cluster();
    const init = [
      { name: "migrate", image: "acme/migrate:1", command: ["sh", "-c", "echo migrated; sleep 3"] },
    ];
    c.apply([pod("api", {}, { initContainers: init })]);
    c.step(2000);
    expect(condition(getPod(c, "api"), "Initialized")).toMatchObject({
      status: "False",
      reason: "ContainersNotInitialized",
      message: "containers with incomplete status: [migrate]",
    });
    expect(containerStatus(c, "api").state.waiting.reason).toBe("PodInitializing");
    c.step(4000);
    expect(getPod(c, "api").status.initContainerStatuses[0].state.terminated.reason).toBe(
      "Completed",
    );
    expect(getPod(c, "api").status.phase).toBe("Running");
  });

  it("deletes a bound pod gracefully and an unbound pod at once", () => {
    const c = cluster();
    c.apply([pod("api"), pod("nowhere", {}, { nodeSelector: { disk: "ssd" } })]);
    c.step(3000);
    c.store.delete("pods", "default", "nowhere");
    expect(c.store.get("pods", "default", "nowhere")).toBeUndefined();
    c.store.delete("pods", "default", "api");
    expect(getPod(c, "api").metadata.deletionTimestamp).toBeDefined();
    c.step(1000);
    expect(eventsFor(c, "api").find((e) => e.reason === "Killing")?.message).toBe(
      "Stopping container app",
    );
    expect(c.store.get("pods", "default", "api")).toBeDefined();
    c.step(2000);
    expect(c.store.get("pods", "default", "api")).toBeUndefined();
  });

  it("garbage-collects pods bound to a node that no longer exists", () => {
    const c = cluster();
    c.apply([pod("api")]);
    c.step(2000);
    c.store.delete("nodes", undefined, "node-1");
    c.step(1000);
    expect(c.store.get("pods", "default", "api")).toBeUndefined();
  });
});
