/**
 * Test support: a real Prometheus (`/usr/bin/prometheus`, the Debian package) on a free port with
 * its own temp data dir, scraping the given URLs and optionally remote-writing to opsloop. Used
 * by the poller, remote-write and MCP `query_metrics` tests; never by production code.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { OpsloopError } from "../../core/errors.ts";

export interface StartPrometheusOptions {
  /** Full URLs to scrape, e.g. http://127.0.0.1:1234/metrics (one job per URL). */
  scrapeTargets?: string[];
  /** Go duration; 1s keeps tests short. */
  scrapeInterval?: string;
  /** Where Prometheus remote-writes (remote-write 1.0), e.g. http://127.0.0.1:5678/api/v1/write. */
  remoteWriteUrl?: string;
  /** Extra `remote_write` entry settings (queue_config, write_relabel_configs, ...). */
  remoteWriteExtra?: Record<string, unknown>;
  extraFlags?: string[];
  /** Called with the empty TSDB directory before Prometheus starts (e.g. to add promtool-backfilled blocks). */
  prepareData?: (dataDir: string) => void;
  binary?: string;
  startTimeoutMs?: number;
}

export interface RunningPrometheus {
  /** Base URL of its HTTP API, e.g. http://127.0.0.1:40123. */
  url: string;
  dataDir: string;
  /** What it printed (logfmt), for diagnosing a failing test. */
  logs(): string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free port; Prometheus cannot report the port it got for :0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function scrapeJob(target: string, i: number, interval: string): Record<string, unknown> {
  const u = new URL(target);
  return {
    job_name: `target${i}`,
    scrape_interval: interval,
    scrape_timeout: interval,
    scheme: u.protocol.replace(":", ""),
    metrics_path: u.pathname || "/metrics",
    static_configs: [{ targets: [u.host] }],
  };
}

export function prometheusConfig(opts: StartPrometheusOptions): string {
  const interval = opts.scrapeInterval ?? "1s";
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: (opts.scrapeTargets ?? []).map((t, i) => scrapeJob(t, i, interval)),
  };
  if (opts.remoteWriteUrl) {
    config.remote_write = [
      {
        url: opts.remoteWriteUrl,
        queue_config: { batch_send_deadline: "1s", min_backoff: "100ms", max_backoff: "1s" },
        ...opts.remoteWriteExtra,
      },
    ];
  }
  return stringify(config);
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return;
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // Not listening yet: the TSDB is still opening.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPrometheus(
  opts: StartPrometheusOptions = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "opsloop-prom-"));
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(configFile, prometheusConfig(opts));
  opts.prepareData?.(join(dir, "data"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    opts.binary ?? "/usr/bin/prometheus",
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--web.enable-admin-api",
      "--log.level=warn",
      ...(opts.extraFlags ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  await waitReady(url, child, opts.startTimeoutMs ?? 30_000);
  if (child.exitCode !== null || !(await isReady(url))) {
    await stop();
    throw new OpsloopError("unavailable", `prometheus did not become ready: ${log.slice(-2000)}`);
  }
  return { url, dataDir: join(dir, "data"), logs: () => log, stop };
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}
