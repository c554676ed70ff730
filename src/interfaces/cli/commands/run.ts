/**
 * `opsloop run`: the loop against a real cluster — informers, metrics scrape, diagnosis,
 * incidents, remediation within the guardrail policy, audit — with the API and dashboard on
 * 127.0.0.1. Runs until SIGINT/SIGTERM, then stops cleanly.
 */
import type { Command } from "commander";
import { type Runtime, startRuntime } from "../../../agent/runtime.ts";
import { loadConfig } from "../../../config/config.ts";
import { parseDuration } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { useColour } from "../colour.ts";
import { formatAction, formatEvent, paint } from "../demo-output.ts";
import { type ServedRuntime, serveRuntime } from "../serve-runtime.ts";
import { outputFormat } from "../table.ts";

interface RunFlags {
  kubeconfig?: string;
  port?: string;
  db?: string;
  policy?: string;
  metricsUrl?: string;
  prometheus?: string;
  interval: string;
  token?: string;
  output: string;
  dashboard: boolean;
}

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new OpsloopError("invalid_input", `--port must be 0–65535, got "${value}"`);
  return n;
}

/** An AbortSignal that fires on the first SIGINT/SIGTERM (a second one exits at once). */
export function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const ctrl = new AbortController();
  const onSignal = () => {
    if (ctrl.signal.aborted) process.exit(130);
    ctrl.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: ctrl.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function follow(rt: Runtime, output: "text" | "json", write: (s: string) => void): void {
  const tty = useColour(process.stdout);
  if (output === "json") {
    rt.events.on("incident", (e) =>
      write(`${JSON.stringify({ event: e.type, incident: e.incident })}\n`),
    );
    rt.events.on("action", (i, a) =>
      write(`${JSON.stringify({ event: "action", incidentId: i.id, action: a })}\n`),
    );
    return;
  }
  rt.events.on("incident", (e) => write(paint(formatEvent(e), tty)));
  rt.events.on("action", (i, a) => write(paint(formatAction(i, a), tty)));
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the loop against a cluster, with the HTTP API and dashboard")
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
    .option("--port <n>", "API and dashboard port on 127.0.0.1", "8787")
    .option("--db <file>", "SQLite database file (incidents, audit, approvals)", "opsloop.db")
    .option("--policy <file>", "guardrail policy YAML (default: the built-in policy)")
    .option(
      "--metrics-url <url>",
      "Prometheus exposition endpoint to scrape (default: <api-server>/metrics)",
    )
    .option("--prometheus <url>", "Prometheus query API for the query_metrics tool")
    .option("--interval <duration>", "evaluation interval", "15s")
    .option(
      "--token <token>",
      "API bearer token for writes (default: a random one, printed in the dashboard link)",
    )
    .option("--output <format>", "text (alias table) or json (one JSON object per event)", "text")
    .option("--no-dashboard", "do not serve the API and dashboard")
    .action(async (flags: RunFlags) => {
      const output = outputFormat(flags.output, ["text", "json"] as const, { table: "text" });
      let intervalMs: number;
      try {
        intervalMs = parseDuration(flags.interval);
      } catch (e) {
        throw new OpsloopError("invalid_input", `--interval: ${(e as Error).message}`);
      }
      const port = parsePort(flags.port);
      const config = loadConfig({
        kubeconfig: flags.kubeconfig,
        db: flags.db,
        policyFile: flags.policy,
        metricsUrl: flags.metricsUrl,
      });
      const stop = stopOnSignals();
      const log = (s: string) => process.stderr.write(s);
      if (process.stderr.isTTY) log("opsloop: starting informers (first list of every kind)…\n");
      const rt = await startRuntime({
        kubeconfig: config.kubeconfig,
        db: config.db,
        policyFile: config.policyFile,
        metricsUrl: config.metricsUrl,
        prometheusUrl: flags.prometheus,
        intervalMs,
        autoStart: false,
        config,
      });
      let served: ServedRuntime | undefined;
      try {
        if (flags.dashboard) {
          served = await serveRuntime(rt, { port, token: flags.token });
          log(
            `opsloop: dashboard ${served.dashboardUrl}\nopsloop: API ${served.http.url}/api/v1/openapi.json\n`,
          );
        }
        follow(rt, output, (s) => process.stdout.write(s));
        rt.start();
        await waitForAbort(stop.signal);
        log("opsloop: stopping…\n");
      } finally {
        stop.dispose();
        await served?.http.close();
        await rt.close();
      }
    });
}
