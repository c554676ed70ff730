import { type ChildProcess, execFile, spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestIssuer, type TestIssuer } from "./oauth-test-issuer.ts";
import { type McpFixture, startMcpFixture } from "./test-fixture.ts";

const NODE = "node_modules/.bin/node";
let f: McpFixture;
let idp: TestIssuer;
let serverUrl = "";

beforeAll(async () => {
  f = await startMcpFixture();
  idp = await startTestIssuer(() => serverUrl);
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await f?.close();
});

function opsloop(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, ["bin/opsloop.js", ...args], { timeout: 30_000 }, (err, _out, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    );
  });
}

/** Resolves with the listen line on stderr. */
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe("opsloop mcp --oauth-issuer", () => {
  it("exits 2 with one line on conflicting or incomplete OAuth flags", async () => {
    const cases: [string[], RegExp][] = [
      [["--token", "t", "--oauth-issuer", idp.issuer], /mutually exclusive/],
      [["--oauth-audience", "https://opsloop.example/mcp"], /needs --oauth-issuer/],
      [
        ["--host", "0.0.0.0", "--oauth-issuer", idp.issuer],
        /--oauth-resource \(or a URL --oauth-audience\) is required/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await opsloop(["mcp", "--transport", "http", "--port", "0", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    const stdio = await opsloop(["mcp", "--oauth-issuer", idp.issuer]);
    expect(stdio.code).toBe(2);
    expect(stdio.stderr).toMatch(/needs --transport http/);
  }, 60_000);

  it("exits 1 with one line when the issuer is unreachable at start", async () => {
    const gone = await startTestIssuer(() => "");
    await gone.close();
    const r = await opsloop([
      ...["mcp", "--transport", "http", "--port", "0", "--kubeconfig", f.harness.kubeconfig],
      ...["--oauth-issuer", gone.issuer],
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `opsloop: OAuth issuer ${gone.issuer} is unreachable (ECONNREFUSED)`,
    );
  }, 60_000);

  it("serves the SDK client a token from the issuer", async () => {
    const child = spawn(NODE, [
      ...["bin/opsloop.js", "mcp", "--transport", "http", "--port", "0"],
      ...["--kubeconfig", f.harness.kubeconfig, "--oauth-issuer", idp.issuer],
    ]);
    try {
      serverUrl = await listening(child);
      const client = new Client({ name: "cli-oauth-test", version: "1" });
      const token = await idp.mint({ scope: "opsloop:read" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(serverUrl), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("get_cluster_overview");
      await client.close();
      const anonymous = await fetch(serverUrl, { method: "POST", body: "{}" });
      expect(anonymous.status).toBe(401);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);
});
