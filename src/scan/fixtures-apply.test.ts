/** The scan fixtures are real Kubernetes: the simulator's API server accepts them (server-side dry run). */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type Harness, startHarness } from "../sim/server/test-harness.ts";

const CASES = new URL("../../test/cases/scan/", import.meta.url).pathname;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  // The bad set lives in namespace shop; a dry run does not create namespaces.
  expect((await h.kubectl(["create", "namespace", "shop"])).code).toBe(0);
});

afterAll(async () => {
  await h?.close();
});

async function dryRun(args: string[], input?: string): Promise<string> {
  const r = await h.kubectl(
    ["apply", "--dry-run=server", ...args],
    input === undefined ? {} : { input },
  );
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

describe("scan fixtures", () => {
  it("the clean and bad sets pass kubectl apply --dry-run=server and nothing is stored", async () => {
    expect(await dryRun(["-f", `${CASES}clean/web.yaml`])).toContain(
      "deployment.apps/web created (server dry run)",
    );
    // kubectl unpacks a List client-side and validates it against /openapi/v2, which the
    // simulator does not serve: send the List's items themselves.
    const list = JSON.parse(readFileSync(`${CASES}clean/config.json`, "utf8"));
    const items = list.items.map((o: object) => stringify(o)).join("---\n");
    expect(await dryRun(["-f", "-"], items)).toContain(
      "secret/web-secret created (server dry run)",
    );
    const bad = await dryRun(["-f", `${CASES}bad`]);
    expect(bad).toContain("poddisruptionbudget.policy/cache created (server dry run)");
    expect(bad.trim().split("\n")).toHaveLength(9);
    const stored = await h.kubectl(["get", "deployments", "-A", "-o", "name"]);
    expect(stored.stdout).not.toContain("deployment.apps/web");
  }, 60_000);
});
