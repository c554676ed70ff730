import { describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { openDb } from "../../store/sqlite.ts";
import { alertmanagerRoutes } from "./routes.ts";

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function payload(status: "firing" | "resolved", at: number) {
  return {
    version: "4",
    groupKey: '{}/{severity="critical"}:{alertname="KubePodCrashLooping"}',
    truncatedAlerts: 0,
    status,
    receiver: "opsloop",
    groupLabels: { alertname: "KubePodCrashLooping" },
    commonLabels: { alertname: "KubePodCrashLooping", namespace: "shop", severity: "critical" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.monitoring:9093",
    alerts: [
      {
        status,
        labels: {
          alertname: "KubePodCrashLooping",
          namespace: "shop",
          pod: "api-7d9f8b6c5-x2k4q",
          container: "api",
          severity: "critical",
        },
        annotations: {
          description:
            'Pod shop/api-7d9f8b6c5-x2k4q (api) is in waiting state (reason: "CrashLoopBackOff").',
          summary: "Pod is crash looping.",
        },
        startsAt: new Date(T0).toISOString(),
        endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : new Date(at).toISOString(),
        generatorURL: "http://prometheus:9090/graph?g0.expr=...",
        fingerprint: "8f3a1c2b9d0e4f51",
      },
    ],
  };
}

async function post(app: ReturnType<typeof alertmanagerRoutes>, body: unknown) {
  const res = await app.request("/api/v1/alerts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("alertmanager webhook", () => {
  it("opens one incident for a flapping alert and resolves it only after it stays quiet", async () => {
    const clock = new FixedClock(T0);
    const incidents = new IncidentManager(openDb(), { resolveAfterMs: 5 * 60_000 });
    const app = alertmanagerRoutes({ incidents, clock });
    const first = await post(app, payload("firing", T0));
    expect(first.status).toBe(200);
    expect(first.body.events).toEqual([
      { type: "opened", id: (first.body.incidents as string[])[0] },
    ]);
    for (let i = 1; i <= 6; i++) {
      clock.set(T0 + i * 60_000);
      const r = await post(app, payload(i % 2 ? "resolved" : "firing", clock.now()));
      expect(r.body.events).toEqual([]);
      expect(r.body.incidents).toEqual(first.body.incidents);
    }
    clock.set(T0 + 7 * 60_000);
    await post(app, payload("resolved", T0 + 7 * 60_000));
    clock.set(T0 + 13 * 60_000);
    const [resolved] = incidents.sweep(clock.now());
    expect(resolved?.type).toBe("resolved");
    expect(resolved?.incident.resolvedAt).toBe(T0 + 7 * 60_000);
    expect(resolved?.incident.signals[0]?.episodes).toBe(4);
    expect(resolved?.incident.subject).toEqual({
      kind: "Pod",
      namespace: "shop",
      name: "api-7d9f8b6c5-x2k4q",
    });
    expect(resolved?.incident.severity).toBe("critical");
    expect(incidents.list()).toHaveLength(1);
  });

  it("rejects a payload that is not Alertmanager's with a problem document", async () => {
    const app = alertmanagerRoutes({
      incidents: new IncidentManager(openDb()),
      clock: new FixedClock(T0),
    });
    const r = await post(app, { version: "4", alerts: [{ status: "firing" }] });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/^invalid Alertmanager payload: groupKey/);
  });

  it("lets a firing alert that is never re-sent go stale instead of pinning its incident open", async () => {
    const clock = new FixedClock(T0);
    const incidents = new IncidentManager(openDb(), {
      resolveAfterMs: 5 * 60_000,
      staleAlertMs: 60 * 60_000,
    });
    await post(alertmanagerRoutes({ incidents, clock }), payload("firing", T0));
    expect(incidents.sweep(T0 + 30 * 60_000)).toEqual([]);
    const [ev] = incidents.sweep(T0 + 65 * 60_000);
    expect([ev?.type, ev?.incident.resolvedAt]).toEqual(["resolved", T0]);
  });
});
