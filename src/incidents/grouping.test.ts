import { describe, expect, it } from "vitest";
import type { Finding } from "../core/types.ts";
import { alertToSignal } from "../sources/alertmanager/payload.ts";
import { openDb } from "../store/sqlite.ts";
import { IncidentManager } from "./incidents.ts";
import { emptyTopology, type Topology } from "./topology.ts";

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

/** shop: web → api → db; api, db and a cache in zone a; billing: an unrelated worker in zone b. */
function topology(): Topology {
  const t = emptyTopology();
  const pod = (ns: string, name: string, kind: string, owner: string, node: string) => {
    t.podOwner.set(`${ns}/${name}`, { kind, namespace: ns, name: owner });
    t.podNode.set(`${ns}/${name}`, node);
  };
  pod("shop", "web-1", "Deployment", "web", "node-b-1");
  pod("shop", "api-1", "Deployment", "api", "node-a-1");
  pod("shop", "db-0", "StatefulSet", "db", "node-a-1");
  pod("shop", "cache-1", "Deployment", "cache", "node-a-1");
  pod("billing", "worker-1", "Deployment", "worker", "node-b-1");
  t.nodeZone.set("node-a-1", "eu-west-1a");
  t.nodeZone.set("node-b-1", "eu-west-1b");
  t.workloadServices.set("Deployment/shop/web", ["shop/web"]);
  t.workloadServices.set("Deployment/shop/api", ["shop/api"]);
  t.workloadServices.set("StatefulSet/shop/db", ["shop/db"]);
  t.serviceDeps.set("shop/web", ["shop/api"]);
  t.serviceDeps.set("shop/api", ["shop/db"]);
  return t;
}

function alert(
  labels: Record<string, string>,
  at: number,
  status: "firing" | "resolved" = "firing",
) {
  return alertToSignal({
    status,
    labels: { severity: "warning", ...labels },
    annotations: { summary: `${labels.alertname} fired` },
    startsAt: new Date(at).toISOString(),
    endsAt: "0001-01-01T00:00:00Z",
  });
}

describe("topology grouping", () => {
  it("merges callers' incidents into the database's once the database alerts, and keeps other namespaces apart", () => {
    const m = new IncidentManager(openDb(), { topology });
    const first = m.ingestAlerts(
      [
        alert({ alertname: "HighErrorRate", namespace: "shop", service: "web" }, T0),
        alert({ alertname: "KubePodCrashLooping", namespace: "billing", pod: "worker-1" }, T0),
      ],
      T0,
    );
    // web's error alert is explained by nothing yet: two incidents.
    expect(first.map((e) => e.type)).toEqual(["opened", "opened"]);
    const second = m.ingestAlerts(
      [alert({ alertname: "HighLatency", namespace: "shop", service: "api" }, T0 + 30_000)],
      T0 + 30_000,
    );
    expect(second.map((e) => [e.type, e.incident.signals.length])).toEqual([["updated", 2]]);
    const third = m.ingestAlerts(
      [
        alert(
          {
            alertname: "PostgresSlowQueries",
            namespace: "shop",
            pod: "db-0",
            severity: "critical",
          },
          T0 + 60_000,
        ),
      ],
      T0 + 60_000,
    );
    expect(third).toHaveLength(1);
    const shop = third[0]?.incident;
    expect(shop?.subject).toEqual({ kind: "Pod", namespace: "shop", name: "db-0" });
    expect(shop?.title).toBe("PostgresSlowQueries in pod shop/db-0 (+2 related)");
    expect(shop?.severity).toBe("critical");
    expect(shop?.status).toBe("diagnosed");
    expect(shop?.openedAt).toBe(T0);
    const all = m.list();
    expect(all).toHaveLength(2);
    expect(all.find((i) => i.subject.namespace === "billing")?.signals).toHaveLength(1);
  });

  it("joins an alert about a node's zone to the pods running there, and merges incidents another signal links", () => {
    const m = new IncidentManager(openDb(), { topology });
    m.ingestAlerts(
      [alert({ alertname: "KubePodNotReady", namespace: "shop", pod: "api-1" }, T0)],
      T0,
    );
    m.ingestAlerts(
      [alert({ alertname: "KubePodNotReady", namespace: "shop", pod: "cache-1" }, T0)],
      T0,
    );
    expect(m.list()).toHaveLength(2);
    // The subnet of zone a is exhausted: a zone-level alert explains both pods.
    const [ev] = m.ingestAlerts(
      [alert({ alertname: "SubnetIPsExhausted", zone: "eu-west-1a" }, T0 + 10_000)],
      T0 + 10_000,
    );
    expect(m.list()).toHaveLength(1);
    expect(ev?.incident.subject).toEqual({ kind: "Alert", name: "SubnetIPsExhausted" });
    expect(ev?.incident.mergedFrom).toHaveLength(1);
    expect(ev?.incident.rootCause).toBe("SubnetIPsExhausted fired (explains 2 related signals)");
  });

  it("keeps an analyzer's prediction and the kill apart until an alert on the workload's pod links them", () => {
    const m = new IncidentManager(openDb(), { topology });
    const f = (reason: string, kind: Finding["kind"]): Finding => ({
      id: reason,
      kind,
      severity: "warning",
      subject: { kind: "Deployment", namespace: "shop", name: "api" },
      affected: [{ kind: "Pod", namespace: "shop", name: "api-1" }],
      rootCause: reason,
      reason,
      evidence: [],
      confidence: 0.9,
      source: "test",
      time: T0,
    });
    m.ingest([f("OOMPredicted", "prediction"), f("OOMKilled", "problem")], T0);
    expect(m.list()).toHaveLength(2);
    m.ingestAlerts(
      [alert({ alertname: "KubePodCrashLooping", namespace: "shop", pod: "api-1" }, T0)],
      T0,
    );
    expect(m.list()).toHaveLength(1);
  });
});
