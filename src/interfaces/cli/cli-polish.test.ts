/**
 * CLI conventions every command shares: `--version`, one-line exit-2 errors for an unknown
 * `--output`, and colour only on a terminal without NO_COLOR (the real CLI on a pseudo-terminal
 * from util-linux `script`).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SimCluster } from "../../sim/cluster.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { useColour } from "./colour.ts";
import { buildProgram, main } from "./main.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }
).version;

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout: 60_000, env }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Every command path that takes `--output`, e.g. ["approvals", "approve"], with its command. */
function withOutput(cmd: Command, path: string[] = []): [string[], Command][] {
  const here: [string[], Command][] = cmd.options.some((o) => o.long === "--output")
    ? [[path, cmd]]
    : [];
  return [...here, ...cmd.commands.flatMap((c) => withOutput(c, [...path, c.name()]))];
}

/** Placeholder values for a command's required arguments and options, so --output is reached. */
function requiredArgs(cmd: Command): string[] {
  const positional = cmd.registeredArguments.filter((a) => a.required).map(() => "x");
  const options = cmd.options
    .filter((o) => o.mandatory && o.long)
    .flatMap((o) => [o.long as string, "x"]);
  return [...positional, ...options];
}

let cluster: SimCluster;
let dir: string;

beforeAll(async () => {
  cluster = startScenario("service-no-endpoints", { tickMs: 5_000 }).cluster;
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  dir = mkdtempSync(join(tmpdir(), "cli-polish-"));
  cluster.writeKubeconfig(join(dir, "kubeconfig"));
  cluster.step(2 * 60_000);
});

afterAll(async () => {
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("opsloop command-line conventions", () => {
  it("prints its version with --version and -V and exits 0", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await run(NODE, ["bin/opsloop.js", flag]);
      expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    }
  });

  it("rejects an unknown --output in every command with one line naming the formats, exit 2", async () => {
    const commands = withOutput(buildProgram());
    expect(commands.length).toBeGreaterThan(15);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      for (const [path, cmd] of commands) {
        stderr.mockClear();
        const code = await main([
          "node",
          "opsloop",
          ...path,
          ...requiredArgs(cmd),
          "--output",
          "xml",
        ]);
        const written = stderr.mock.calls.map((c) => String(c[0])).join("");
        expect(code, `${path.join(" ")}: ${written}`).toBe(2);
        expect(written, path.join(" ")).toMatch(
          /^opsloop: --output must be [a-z, ]+ or [a-z]+; got "xml"\n$/,
        );
      }
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      process.exitCode = 0;
    }
  });

  it("colours only on a terminal, and not when NO_COLOR is set", async () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    const cmd = `${NODE} bin/opsloop.js diagnose --kubeconfig ${join(dir, "kubeconfig")}`;
    const { NO_COLOR: _, ...env } = process.env;
    // `script` gives the CLI a pseudo-terminal as stdout, as an interactive shell would.
    const tty = await run("/usr/bin/script", ["-qec", cmd, "/dev/null"], env);
    expect(tty.stdout).toContain("NoEndpoints");
    expect(tty.stdout).toContain("\x1b[");
    const noColour = await run("/usr/bin/script", ["-qec", cmd, "/dev/null"], {
      ...env,
      NO_COLOR: "1",
    });
    expect(noColour.stdout).toContain("NoEndpoints");
    expect(noColour.stdout).not.toContain("\x1b[");
    const piped = await run(NODE, ["bin/opsloop.js", ...cmd.split(" ").slice(2)], env);
    expect(piped.stdout).toContain("NoEndpoints");
    expect(piped.stdout).not.toContain("\x1b[");
  }, 60_000);
});
