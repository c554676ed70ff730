import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../store/types.ts";
import { eventPrinter, nodePrinter, podPrinter, summarizePod } from "./core-printers.ts";
import { humanDuration } from "./table-util.ts";

const NOW = Date.parse("2026-01-05T01:00:00Z");

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are open JSON.
function pod(spec: any, status: any, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", creationTimestamp: "2026-01-05T00:00:00Z", ...meta },
    spec,
    status,
  };
}

const oneInit = { initContainers: [{ name: "init" }], containers: [{ name: "app" }] };

describe("printPod's STATUS, READY and RESTARTS", () => {
  it("shows Init:N/M while an init container runs", () => {
    const p = pod(oneInit, {
      phase: "Pending",
      initContainerStatuses: [{ name: "init", restartCount: 0, state: { running: {} } }],
      containerStatuses: [
        { name: "app", restartCount: 0, state: { waiting: { reason: "PodInitializing" } } },
      ],
    });
    expect(summarizePod(p)).toMatchObject({ reason: "Init:0/1", ready: 0, total: 1 });
  });

  it("prefixes a failing init container's reason with Init:", () => {
    const p = pod(oneInit, {
      phase: "Pending",
      initContainerStatuses: [
        { name: "init", restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } } },
      ],
    });
    expect(summarizePod(p)).toMatchObject({ reason: "Init:CrashLoopBackOff", restarts: 4 });
  });

  it("shows ExitCode:N for a terminated container without a reason, and Completed otherwise", () => {
    const exit = pod(
      { containers: [{ name: "app" }] },
      {
        phase: "Failed",
        containerStatuses: [{ name: "app", state: { terminated: { exitCode: 3 } } }],
      },
    );
    expect(summarizePod(exit).reason).toBe("ExitCode:3");
    const done = pod(
      { containers: [{ name: "app" }] },
      {
        phase: "Succeeded",
        containerStatuses: [
          { name: "app", state: { terminated: { exitCode: 0, reason: "Completed" } } },
        ],
      },
    );
    expect(summarizePod(done).reason).toBe("Completed");
  });

  it("says Terminating for a pod being deleted and Evicted for the pod status reason", () => {
    const running = {
      phase: "Running",
      containerStatuses: [{ name: "app", ready: true, state: { running: {} } }],
    };
    expect(
      summarizePod(
        pod({ containers: [{ name: "app" }] }, running, {
          deletionTimestamp: "2026-01-05T00:59:00Z",
        }),
      ).reason,
    ).toBe("Terminating");
    expect(
      summarizePod(pod({ containers: [{ name: "app" }] }, { phase: "Failed", reason: "Evicted" }))
        .reason,
    ).toBe("Evicted");
  });

  it("prints restarts with the age of the last termination", () => {
    const p = pod(
      { containers: [{ name: "app" }] },
      {
        phase: "Running",
        containerStatuses: [
          {
            name: "app",
            ready: true,
            restartCount: 2,
            state: { running: {} },
            lastState: { terminated: { finishedAt: "2026-01-05T00:55:00Z" } },
          },
        ],
      },
    );
    expect(podPrinter.row(p, NOW).slice(0, 5)).toEqual([
      "p",
      "1/1",
      "Running",
      "2 (5m ago)",
      "60m",
    ]);
  });
});

describe("node and event rows", () => {
  it("marks a cordoned node SchedulingDisabled next to its Ready condition", () => {
    const n: KubeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n", labels: { "node-role.kubernetes.io/control-plane": "" } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: "Ready", status: "False" }],
        nodeInfo: { kubeletVersion: "v1.32.4" },
      },
    };
    expect(nodePrinter.row(n, NOW).slice(0, 3)).toEqual([
      "n",
      "NotReady,SchedulingDisabled",
      "control-plane",
    ]);
  });

  it("prints an event's object as kind/name and its source with the host", () => {
    const e = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "p.1" },
      involvedObject: { kind: "Pod", name: "p" },
      type: "Warning",
      reason: "BackOff",
      message: "Back-off restarting failed container",
      source: { component: "kubelet", host: "n1" },
      firstTimestamp: "2026-01-05T00:50:00Z",
      lastTimestamp: "2026-01-05T00:59:00Z",
      count: 7,
    } as KubeObject;
    expect(eventPrinter.row(e, NOW)).toEqual([
      "60s",
      "Warning",
      "BackOff",
      "pod/p",
      "",
      "kubelet, n1",
      "Back-off restarting failed container",
      "10m",
      7,
      "p.1",
    ]);
  });

  it("formats durations like apimachinery's HumanDuration", () => {
    expect(
      [90_000, 150_000, 3 * 3600_000 + 60_000, 50 * 3600_000, 400 * 86400_000].map(humanDuration),
    ).toEqual(["90s", "2m30s", "3h1m", "2d2h", "400d"]);
  });
});
