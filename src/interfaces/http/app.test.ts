import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Runtime, startRuntime } from "../../agent/runtime.ts";
import { type RunningSim, startSim } from "../cli/sim-runtime.ts";
import { createRuntimeHttpApp } from "./app.ts";
import { type HttpServer, startHttpServer } from "./server.ts";

let sim: RunningSim;
let rt: Runtime;
let http: HttpServer;
const TOKEN = "test-token-0123456789";

const waitFor = async (ok: () => boolean | Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  sim = await startSim({ scenario: "demo", speed: 30 });
  rt = await startRuntime({
    kubeconfig: sim.kubeconfig,
    clock: sim.cluster.clock,
    intervalMs: 250,
  });
  http = await startHttpServer(createRuntimeHttpApp(rt, { token: TOKEN }));
});

afterAll(async () => {
  await http?.close();
  await rt?.close();
  await sim?.close();
});

const get = (path: string, init?: RequestInit) => fetch(`${http.url}${path}`, init);

describe("HTTP API", () => {
  it("answers health and readiness", async () => {
    expect(await (await get("/healthz")).text()).toBe("ok");
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
  });

  it("refuses a Host that is not loopback (DNS rebinding)", async () => {
    const res = await createRuntimeHttpApp(rt).request("/api/v1/incidents", {
      headers: { host: "attacker.example:8787" },
    });
    expect(res.status).toBe(403);
    const ok = await createRuntimeHttpApp(rt).request("/healthz", {
      headers: { host: "localhost:1" },
    });
    expect(ok.status).toBe(200);
  });

  it("serves read-only tools as GET with typed query input", async () => {
    await waitFor(() => rt.incidents.list().length > 0);
    const res = await get("/api/v1/incidents");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { incidents: { id: string }[] };
    expect(body.incidents.length).toBeGreaterThan(0);
    const audit = await get("/api/v1/audit-log?limit=5");
    expect(audit.status).toBe(200);
    const posted = await get("/api/v1/audit-log", {
      method: "POST",
      body: JSON.stringify({ limit: 2 }),
    });
    expect(((await posted.json()) as { records: unknown[] }).records.length).toBeLessThanOrEqual(2);
    const alias = await get("/api/v1/tools/list_problems");
    expect(((await alias.json()) as { problems: unknown[] }).problems).toBeInstanceOf(Array);
  });

  it("turns schema violations into a 400 problem document", async () => {
    const res = await get("/api/v1/audit-log?limit=abc");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const p = (await res.json()) as { code: string; detail: string };
    expect(p.code).toBe("invalid_input");
    expect(p.detail).toMatch(/limit/);
    const unknown = await get("/api/v1/incidents?colour=red");
    expect(unknown.status).toBe(400);
  });

  it("maps not_found to 404", async () => {
    const res = await get("/api/v1/incidents/no-such-id");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe("not_found");
    const prop = await get("/api/v1/tools/propose_remediation?incidentId=nope");
    expect(prop.status).toBe(404);
  });

  it("refuses write tools without the bearer token and runs them with it", async () => {
    const inc = rt.incidents.list()[0];
    const body = JSON.stringify({ incidentId: inc?.id, confirm: true });
    const denied = await get("/api/v1/execute-remediation", { method: "POST", body });
    expect(denied.status).toBe(403);
    const wrong = await get("/api/v1/execute-remediation", {
      method: "POST",
      body,
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(403);
    const unconfirmed = await get("/api/v1/execute-remediation", {
      method: "POST",
      body: JSON.stringify({ incidentId: inc?.id }),
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(unconfirmed.status).toBe(400);
  });

  it("publishes an OpenAPI 3.1 document covering every tool", async () => {
    const doc = (await (await get("/api/v1/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const name of ["list_incidents", "audit_log", "execute_remediation", "list_problems"])
      expect(ops).toContain(name);
    const ids = ops.filter((o) => o !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/api/v1/audit-log"]?.get).toBeDefined();
    expect(doc.paths["/api/v1/execute-remediation"]?.post).toBeDefined();
  });

  it("exposes its own metrics in Prometheus text format, tool calls included", async () => {
    const text = await (await get("/metrics")).text();
    expect(text).toMatch(/^# TYPE opsloop_ticks_total counter$/m);
    expect(text).toMatch(
      /^opsloop_tool_calls_total\{tool="audit_log",outcome="invalid_input"\} 1$/m,
    );
    expect(text).toMatch(
      /^opsloop_tool_call_duration_seconds_count\{tool="list_incidents"\} \d+$/m,
    );
    expect(text).toMatch(/^opsloop_incidents\{status="\w+"\} \d+$/m);
  });

  it("pages incident summaries and streams incident events", async () => {
    const page = (await (await get("/api/v1/incident-summaries?limit=1")).json()) as {
      total: number;
      items: { id: string }[];
    };
    expect(page.items.length).toBe(1);
    expect(page.total).toBe(rt.incidents.list().length);
    const ctrl = new AbortController();
    const res = await get("/api/v1/stream", { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: hello");
    ctrl.abort();
  });

  it("mounts the Alertmanager webhook behind the bearer token and lists it in OpenAPI", async () => {
    const now = sim.cluster.clock.now();
    const alert = {
      version: "4",
      groupKey: '{}:{alertname="KubePodCrashLooping"}',
      truncatedAlerts: 0,
      status: "firing",
      receiver: "opsloop",
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: "http://alertmanager:9093",
      alerts: [
        {
          status: "firing",
          labels: {
            alertname: "KubePodCrashLooping",
            namespace: "shop",
            pod: "web-1",
            severity: "critical",
          },
          annotations: { summary: "Pod is crash looping." },
          startsAt: new Date(now).toISOString(),
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "http://prometheus:9090/graph",
          fingerprint: "0123456789abcdef",
        },
      ],
    };
    const body = JSON.stringify(alert);
    const denied = await get("/api/v1/alerts", { method: "POST", body });
    expect(denied.status).toBe(403);
    const ok = await get("/api/v1/alerts", {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    });
    expect(ok.status).toBe(200);
    const res = (await ok.json()) as { received: number; incidents: string[] };
    expect(res.received).toBe(1);
    expect(rt.incidents.get(res.incidents[0] ?? "")?.title).toBeTruthy();
    const doc = (await (await get("/api/v1/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    expect(doc.paths["/api/v1/alerts"]).toBeDefined();
  });

  it("lists series summaries and returns full series only by id", async () => {
    await waitFor(() => rt.series.summaries().some((x) => x.points >= 3));
    const list = (await (await get("/api/v1/series")).json()) as {
      series: { id: string; points: number; last: { v: number } }[];
    };
    const first = list.series.find((x) => x.points >= 3);
    expect(first && "lower" in first).toBe(false);
    const one = (await (
      await get(`/api/v1/series?id=${encodeURIComponent(first?.id ?? "")}`)
    ).json()) as {
      series: { id: string; points: { v: number; lower: number; upper: number }[] }[];
    };
    expect(one.series.map((x) => x.id)).toEqual([first?.id]);
    expect(one.series[0]?.points.length).toBeGreaterThanOrEqual(3);
  });

  it("serves the dashboard and uPlot from the same origin", async () => {
    const page = await get("/");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain("/vendor/uPlot.iife.min.js");
    const uplot = await get("/vendor/uPlot.iife.min.js");
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain("uPlot");
  });
});
