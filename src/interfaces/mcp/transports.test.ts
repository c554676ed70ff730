import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allTools } from "../../tools/index.ts";
import { type McpHttpServer, startMcpHttp } from "./http.ts";
import {
  callEveryTool,
  callWriteTools,
  type McpFixture,
  PLANTED,
  seededDbFile,
  startMcpFixture,
} from "./test-fixture.ts";

let f: McpFixture;
let http: McpHttpServer;
const TOKEN = "test-token-0123456789";

beforeAll(async () => {
  f = await startMcpFixture();
  http = await startMcpHttp(f.ctx, { token: TOKEN, port: 0 });
}, 60_000);
afterAll(async () => {
  await http?.close();
  await f?.close();
});

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
};

function post(headers: Record<string, string>) {
  return fetch(http.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify(initialize),
  });
}

const readOnlyNames = () =>
  allTools()
    .filter((t) => t.annotations.readOnly)
    .map((t) => t.name)
    .sort();

describe("opsloop MCP over Streamable HTTP", () => {
  it("answers 401 with WWW-Authenticate to a missing or wrong bearer token", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it("rejects a foreign Host header (DNS rebinding) even with the token", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        http.url,
        {
          method: "POST",
          headers: {
            host: "evil.example:80",
            authorization: `Bearer ${TOKEN}`,
            "content-type": "application/json",
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(initialize));
    });
    expect(status).toBe(403);
  });

  it("lists the read-only tools and calls one through the SDK client with the token", async () => {
    const client = new Client({ name: "http-test", version: "1" });
    const transport = new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(readOnlyNames());
    const r = await client.callTool({ name: "get_pod_logs", arguments: { pod: "api" } });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { lines: string[] }).lines).toContain("listening on :8080");
    f.harness.cluster.apiServer?.clearRequests();
    const outputs = await callEveryTool(client, f.seeded);
    expect([...outputs.keys()].sort()).toEqual(readOnlyNames());
    for (const s of PLANTED) for (const out of outputs.values()) expect(out).not.toContain(s);
    const requests = f.harness.cluster.apiServer?.requests() ?? [];
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((q) => q.method !== "GET")).toEqual([]);
    await client.close();
  });

  it("calls every write tool with --allow-write through the one-time confirmation token", async () => {
    const w = await startMcpHttp(f.ctx, { token: TOKEN, port: 0, allowWrite: true });
    const client = new Client({ name: "http-test", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(w.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    try {
      f.harness.cluster.apiServer?.clearRequests();
      const out = await callWriteTools(client, f.seeded);
      for (const [name, r] of out) expect(r.isError, `${name} ${r.text}`).toBe(false);
      // The kube-system remediation is denied by the guardrails: nothing reaches the cluster.
      expect(out.get("execute_remediation")?.structuredContent).toMatchObject({
        actions: [{ verdict: "denied" }],
      });
      const writes = (f.harness.cluster.apiServer?.requests() ?? []).filter(
        (q) => q.method !== "GET",
      );
      expect(writes).toEqual([]);
    } finally {
      await client.close();
      await w.close();
    }
  });

  it("asks for confirmation by elicitation on the same HTTP session and denies on decline", async () => {
    const w = await startMcpHttp(f.ctx, { token: TOKEN, port: 0, allowWrite: true });
    const client = new Client(
      { name: "http-test", version: "1" },
      { capabilities: { elicitation: { form: {} } } },
    );
    let asked = 0;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked++;
      return { action: "decline" };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(w.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    const r = await client.callTool({
      name: "execute_remediation",
      arguments: { incidentId: "i", confirm: true },
    });
    expect(asked).toBe(1);
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toContain("did not confirm");
    await client.close();
    await w.close();
  });

  it("fails to connect without the token", async () => {
    const client = new Client({ name: "http-test", version: "1" });
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL(http.url))),
    ).rejects.toThrow();
  });
});

describe("opsloop mcp over stdio (child process)", () => {
  /** `opsloop mcp` on its own copy of the seeded store, with the fixture's Prometheus. */
  function child(extra: string[] = []) {
    const db = seededDbFile(f.dir);
    const transport = new StdioClientTransport({
      command: "node_modules/.bin/node",
      args: [
        "bin/opsloop.js",
        "mcp",
        "--kubeconfig",
        f.harness.kubeconfig,
        "--db",
        db.path,
        "--prometheus-url",
        f.prometheus.url,
        ...extra,
      ],
      stderr: "pipe",
    });
    return { transport, seeded: db.seeded };
  }

  it("lists the read-only tools, calls every one, and has no write tools without --allow-write", async () => {
    const { transport, seeded } = child();
    const client = new Client({ name: "stdio-test", version: "1" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(readOnlyNames());
      expect(tools.some((t) => t.annotations?.readOnlyHint === false)).toBe(false);
      f.harness.cluster.apiServer?.clearRequests();
      const outputs = await callEveryTool(client, seeded);
      for (const s of PLANTED) for (const out of outputs.values()) expect(out).not.toContain(s);
      // The child's agent observes (list/watch) but never acts under MCP, and the tools only GET.
      const writes = (f.harness.cluster.apiServer?.requests() ?? []).filter(
        (q) => q.method !== "GET",
      );
      expect(writes).toEqual([]);
      const overview = await client.callTool({ name: "get_cluster_overview", arguments: {} });
      expect(overview.structuredContent).toMatchObject({ pods: { total: 4 }, nodes: { total: 1 } });
      const secret = await client.callTool({
        name: "get_resource",
        arguments: { kind: "secret", name: "db-creds" },
      });
      expect(secret.isError).toBeFalsy();
      for (const s of PLANTED) expect(JSON.stringify(secret)).not.toContain(s);
      const denied = await client.callTool({
        name: "execute_remediation",
        arguments: { incidentId: "x", confirm: true },
      });
      expect(denied.isError).toBe(true);
    } finally {
      await client.close();
    }
  }, 60_000);

  it("offers the write tools with --allow-write and runs each, confirmed, within the guardrails", async () => {
    const { transport, seeded } = child(["--allow-write"]);
    const client = new Client({ name: "stdio-test", version: "1" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("execute_remediation");
      const out = await callWriteTools(client, seeded);
      for (const [name, r] of out) expect(r.isError, `${name} ${r.text}`).toBe(false);
      expect(out.get("approve_action")?.structuredContent).toMatchObject({
        approval: { status: "approved" },
      });
      expect(out.get("execute_remediation")?.structuredContent).toMatchObject({
        actions: [{ verdict: "denied" }],
      });
    } finally {
      await client.close();
    }
  }, 60_000);
});
