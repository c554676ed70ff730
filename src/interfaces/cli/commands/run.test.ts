/** `opsloop run` as a real process against the simulator: serves the API, stops on SIGINT. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSim, startSim } from "../sim-runtime.ts";

const ROOT = new URL("../../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");
let sim: RunningSim;

beforeAll(async () => {
  sim = await startSim({ scenario: "demo", speed: 30 });
});

afterAll(async () => {
  await sim?.close();
});

describe("opsloop run", () => {
  it("runs the loop on a cluster with the API and dashboard until interrupted", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "run-")), "opsloop.db");
    const child = spawn(
      NODE,
      [
        "bin/opsloop.js",
        "run",
        "--kubeconfig",
        sim.kubeconfig,
        "--port",
        "0",
        "--db",
        db,
        "--interval",
        "500ms",
        "--output",
        "json",
      ],
      { cwd: ROOT },
    );
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const end = Date.now() + 60_000;
    let url: string | undefined;
    while (!url && Date.now() < end) {
      url = /dashboard (http:\/\/127\.0\.0\.1:\d+)\/#token=\S+/.exec(stderr)?.[1];
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, stderr).toBeDefined();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    let incidents: unknown[] = [];
    while (!incidents.length && Date.now() < end) {
      const body = (await (await fetch(`${url}/api/v1/incidents`)).json()) as {
        incidents: unknown[];
      };
      incidents = body.incidents;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(incidents.length).toBeGreaterThan(0);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string });
    expect(events.some((e) => e.event === "opened")).toBe(true);
    expect(stderr).toContain("stopping");
  }, 90_000);

  it("rejects a bad port with a one-line usage error", async () => {
    const child = spawn(
      NODE,
      ["bin/opsloop.js", "run", "--kubeconfig", sim.kubeconfig, "--port", "http"],
      {
        cwd: ROOT,
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr).toBe('opsloop: --port must be 0–65535, got "http"\n');
  });
});
