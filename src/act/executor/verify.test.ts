import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import { PromClient } from "../../sources/prometheus/api-client.ts";
import { celHolds, promMetricsReader } from "./verify.ts";

// A stand-in for Prometheus's HTTP API (form-encoded POST, as Grafana and the client send it):
// answers /api/v1/query with a canned vector or nothing.
let server: Server;
let url: string;
const asked: string[] = [];
beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const q = new URLSearchParams(body);
    asked.push(`${q.get("query")}@${q.get("time")}`);
    const result =
      q.get("query") === "up" ? [{ metric: { job: "api" }, value: [1767571200, "0.25"] }] : [];
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("verification helpers", () => {
  it("reads the first series of an instant query at the given time, undefined without data", async () => {
    const read = promMetricsReader(new PromClient({ url }), new FixedClock(1_767_571_200_000));
    expect(await read("up")).toBe(0.25);
    expect(await read("absent_metric")).toBeUndefined();
    expect(asked[0]).toBe("up@1767571200.000");
  });

  it("evaluates CEL conditions over the object, reporting errors instead of throwing", () => {
    const object = { spec: { replicas: 3 }, status: { availableReplicas: 2 } };
    const expr = "object.status.?availableReplicas.orValue(0) >= object.spec.replicas";
    expect(celHolds(expr, { object, finding: null })).toEqual({ ok: false });
    expect(
      celHolds(expr, { object: { ...object, status: { availableReplicas: 3 } }, finding: null }),
    ).toEqual({ ok: true });
    expect(celHolds("object.spec.missing > 1", { object, finding: null }).ok).toBe(false);
  });
});
