import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../../../", import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(join(ROOT, "node_modules/.bin/node"), ["bin/opsloop.js", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });

describe("opsloop runbooks", () => {
  it("lists the built-ins and checks a file, failing in one line with the file and path", () => {
    expect(cli("runbooks", "list").stdout).toContain("bad-rollout-undo\tCrashLoopBackOff");
    const file = join(mkdtempSync(join(tmpdir(), "rbcli-")), "r.yaml");
    writeFileSync(
      file,
      "name: r\ndescription: d\ntrigger: { reasons: [X] }\nsteps: [{ action: scale, params: { factor: 99 } }]\n",
    );
    const bad = cli("runbooks", "check", file);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain(`invalid runbook ${file}: steps.0.params.factor:`);
  });
});
