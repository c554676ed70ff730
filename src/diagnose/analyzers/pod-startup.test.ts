import type { V1ContainerStatus, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { diagnose } from "../index.ts";
import { MAX_LOG_READS } from "../log-budget.ts";
import { similarName } from "./config-refs.ts";
import { decisiveLog } from "./log-patterns.ts";
import { analyzePodStartup } from "./pod-startup.ts";

const NOW = Date.UTC(2026, 0, 5, 1, 0, 0);

function rs(ns: string, name: string, deployment: string): V1ReplicaSet {
  return {
    metadata: {
      namespace: ns,
      name,
      uid: `uid-${name}`,
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: deployment,
          uid: `uid-${deployment}`,
          controller: true,
        },
      ],
    },
  };
}

function pod(
  ns: string,
  name: string,
  rsName: string,
  status: V1ContainerStatus,
  env: NonNullable<V1Pod["spec"]>["containers"][number]["env"] = [],
): V1Pod {
  return {
    metadata: {
      namespace: ns,
      name,
      uid: `uid-${name}`,
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: rsName,
          uid: `uid-${rsName}`,
          controller: true,
        },
      ],
    },
    spec: {
      containers: [
        { name: status.name, image: status.image, env, resources: { limits: { memory: "256Mi" } } },
      ],
    },
    status: { phase: "Pending", containerStatuses: [status] },
  };
}

const configWaiting = (name: string): V1ContainerStatus => ({
  name,
  image: "shop/api:1.4",
  imageID: "",
  ready: false,
  restartCount: 0,
  state: {
    waiting: { reason: "CreateContainerConfigError", message: 'configmap "api-config" not found' },
  },
});

describe("pod-startup analyzer", () => {
  it("reports one finding for a Deployment whose pods miss a ConfigMap, naming it and a similar one", async () => {
    const snap = emptySnapshot();
    snap.replicaSets.push(rs("shop", "api-7d9f", "api"));
    snap.configMaps.push({ namespace: "shop", name: "api-configs", keys: ["API_URL"] });
    const env = [
      { name: "API_URL", valueFrom: { configMapKeyRef: { name: "api-config", key: "API_URL" } } },
    ];
    for (const n of ["api-7d9f-a", "api-7d9f-b", "api-7d9f-c"])
      snap.pods.push(pod("shop", n, "api-7d9f", configWaiting("api"), env));
    const findings = await analyzePodStartup(snap, NOW);
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f?.subject).toMatchObject({ kind: "Deployment", namespace: "shop", name: "api" });
    expect(f?.reason).toBe("CreateContainerConfigError");
    expect(f?.affected.map((p) => p.name)).toEqual(["api-7d9f-a", "api-7d9f-b", "api-7d9f-c"]);
    expect(f?.rootCause).toBe(
      'ConfigMap "api-config" does not exist in namespace shop (a similarly named ConfigMap "api-configs" exists), referenced by env API_URL of container api (3 pods)',
    );
    const again = await analyzePodStartup(snap, NOW + 60_000);
    expect(again[0]?.id).toBe(f?.id);
  });

  it("names a missing key of an existing Secret without reading any value", async () => {
    const snap = emptySnapshot();
    snap.secrets.push({ namespace: "shop", name: "db", keys: ["password"] });
    const env = [{ name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "username" } } }];
    const status = {
      ...configWaiting("api"),
      state: {
        waiting: {
          reason: "CreateContainerConfigError",
          message: "couldn't find key username in Secret shop/db",
        },
      },
    };
    snap.pods.push(pod("shop", "solo", "none", status, env));
    const [f] = await analyzePodStartup(snap, NOW);
    expect(f?.rootCause).toContain('key "username" is missing from Secret shop/db');
    expect(f?.subject).toMatchObject({ kind: "ReplicaSet", name: "none" });
  });

  it("does not call a Secret missing when Secrets could not be listed", async () => {
    const snap = { ...emptySnapshot(), unsynced: ["Secret" as const] };
    const env = [
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
    ];
    const status = {
      ...configWaiting("api"),
      state: {
        waiting: {
          reason: "CreateContainerConfigError",
          message: 'configmap "api-config" not found',
        },
      },
    };
    snap.pods.push(pod("shop", "p", "r", status, env));
    const [f] = await analyzePodStartup(snap, NOW);
    expect(f?.rootCause).toBe(
      'ConfigMap "api-config" does not exist in namespace shop, referenced by container api',
    );
  });

  it("falls back to the kubelet message when the snapshot has no pod spec reference", async () => {
    const snap = emptySnapshot();
    snap.pods.push(pod("shop", "p", "r", configWaiting("api")));
    const [f] = await analyzePodStartup(snap, NOW);
    expect(f?.rootCause).toContain('ConfigMap "api-config" does not exist in namespace shop');
  });

  it("explains a crash loop with the decisive line of the previous container's log", async () => {
    const snap = emptySnapshot();
    const status: V1ContainerStatus = {
      name: "worker",
      image: "shop/worker:2",
      imageID: "",
      ready: false,
      restartCount: 4,
      state: {
        waiting: {
          reason: "CrashLoopBackOff",
          message: "back-off 40s restarting failed container=worker",
        },
      },
      lastState: { terminated: { exitCode: 1, reason: "Error" } },
    };
    snap.pods.push(pod("shop", "w-1", "w", status));
    const asked: unknown[] = [];
    const readLog = async (...args: unknown[]) => {
      asked.push(args);
      return "starting\nconnecting to db:5432\nFATAL: password authentication failed for user app\nshutting down\n";
    };
    const [f] = await analyzePodStartup(snap, NOW, readLog);
    expect(asked).toEqual([["shop", "w-1", "worker", { previous: true }]]);
    expect(f?.reason).toBe("CrashLoopBackOff");
    expect(f?.rootCause).toBe(
      "container worker exits with code 1 (Error) because authentication to a dependency fails: FATAL: password authentication failed for user app",
    );
  });

  it("recognises OOMKilled and image pull failures", async () => {
    const snap = emptySnapshot();
    const oom: V1ContainerStatus = {
      name: "leak",
      image: "x",
      imageID: "",
      ready: false,
      restartCount: 2,
      state: { waiting: { reason: "CrashLoopBackOff" } },
      lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } },
    };
    const pull: V1ContainerStatus = {
      name: "web",
      image: "nginx:9.99",
      imageID: "",
      ready: false,
      restartCount: 0,
      state: {
        waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "nginx:9.99"' },
      },
    };
    snap.pods.push(pod("a", "leak-1", "l", oom), pod("a", "web-1", "w", pull));
    const reasons = (await analyzePodStartup(snap, NOW)).map((f) => [f.reason, f.rootCause]);
    expect(reasons).toEqual([
      [
        "OOMKilled",
        "container leak is killed for exceeding its memory limit of 256Mi (OOMKilled, exit 137)",
      ],
      [
        "ImagePullBackOff",
        'image nginx:9.99 of container web cannot be pulled: Back-off pulling image "nginx:9.99"',
      ],
    ]);
  });

  it("picks names that look like typos and ignores unrelated ones", () => {
    expect(similarName("api-config", ["api-confg", "billing"])).toBe("api-confg");
    expect(similarName("api-config", ["billing", "frontend-settings"])).toBeUndefined();
    expect(decisiveLog("a\nb\n")?.line).toBe("b");
  });

  it("names an imagePullSecret the pod references that does not exist", async () => {
    const snap = emptySnapshot();
    const status: V1ContainerStatus = {
      name: "agent",
      image: "registry.acme.io/agent:4",
      imageID: "",
      ready: false,
      restartCount: 0,
      state: {
        waiting: {
          reason: "ErrImagePull",
          message:
            'rpc error: code = Unknown desc = failed to pull and unpack image "registry.acme.io/agent:4": failed to resolve reference "registry.acme.io/agent:4": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
        },
      },
    };
    const p = pod("ops", "agent-1", "a", status);
    if (p.spec) p.spec.imagePullSecrets = [{ name: "regcred" }];
    snap.pods.push(p);
    const [f] = await analyzePodStartup(snap, NOW);
    expect(f?.rootCause).toBe(
      "image registry.acme.io/agent:4 of container agent is private and the pod has no working imagePullSecret for it (its imagePullSecret regcred does not exist in namespace ops)",
    );
    expect(f?.fix?.description).toContain(
      "kubectl create secret docker-registry regcred --docker-server=registry.acme.io",
    );
  });

  it("keeps a crash loop's finding id across cycles although log timestamps change", async () => {
    const snap = emptySnapshot();
    const status: V1ContainerStatus = {
      name: "api",
      image: "shop/api:2",
      imageID: "",
      ready: false,
      restartCount: 3,
      state: { waiting: { reason: "CrashLoopBackOff" } },
      lastState: { terminated: { exitCode: 1, reason: "Error" } },
    };
    snap.pods.push(pod("shop", "api-1", "api-rs", status), pod("shop", "api-2", "api-rs", status));
    let reads = 0;
    const at = (t: string) => async () => {
      reads++;
      return `${t} starting\n${t} error: dial tcp 10.0.0.7:6379: connect: connection refused\n`;
    };
    const first = await analyzePodStartup(snap, NOW, at("2026-01-05T01:00:00Z"));
    const second = await analyzePodStartup(snap, NOW + 60_000, at("2026-01-05T01:01:13Z"));
    expect(first).toHaveLength(1);
    expect(first[0]?.affected).toHaveLength(2);
    expect(second[0]?.id).toBe(first[0]?.id);
    expect(reads).toBe(2);
  });

  it("reads at most the log budget per diagnosis, and still reports every crash loop", async () => {
    const snap = emptySnapshot();
    const crashing = (i: number): V1ContainerStatus => ({
      name: "app",
      image: `shop/app-${i}:1`,
      imageID: "",
      ready: false,
      restartCount: 5,
      state: { waiting: { reason: "CrashLoopBackOff" } },
      lastState: { terminated: { exitCode: 2, reason: "Error" } },
    });
    for (let i = 0; i < 40; i++) {
      snap.replicaSets.push(rs("shop", `app-${i}-rs`, `app-${i}`));
      snap.pods.push(pod("shop", `app-${i}-1`, `app-${i}-rs`, crashing(i)));
    }
    let reads = 0;
    const readLog = async () => {
      reads++;
      return "panic: runtime error: invalid memory address or nil pointer dereference\n";
    };
    const findings = await diagnose({ snap, now: NOW, readLog }, { filter: ["pod-startup"] });
    expect(reads).toBe(MAX_LOG_READS);
    expect(findings.filter((f) => f.reason === "CrashLoopBackOff")).toHaveLength(40);
    expect(findings.filter((f) => f.rootCause.includes("panic"))).toHaveLength(MAX_LOG_READS);
  });
});
