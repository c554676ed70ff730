/**
 * The simulator's `/metrics`: cAdvisor-like container series, application RED series,
 * node-exporter-like node series and kube-state-metrics-like object series, in one scrape.
 * Metric and label names follow those exporters so real dashboards and queries work.
 */

import { kubeletAlive } from "../physics/node-state.ts";
import { parseQuantity } from "../quantity.ts";
import type { KubeObject } from "../store/types.ts";
import { Exposition } from "./exposition.ts";
import { renderKubeState } from "./kube-state.ts";
import { nodeSignals } from "./node-model.ts";
import { DURATION_BUCKETS, type Telemetry } from "./telemetry.ts";
import { containerStartedAt, memoryBytes } from "./usage.ts";

type Container = { name: string; image: string; resources?: { limits?: Record<string, string> } };

export function renderMetrics(tel: Telemetry, now: number): string {
  const out = new Exposition();
  const pods = tel.ctx.store.list("pods");
  renderContainers(out, tel, pods, now);
  renderApp(out, tel, pods);
  renderNodes(out, tel, pods, now);
  renderKubeState(out, tel.ctx.store, now);
  return out.render();
}

function renderContainers(out: Exposition, tel: Telemetry, pods: KubeObject[], now: number): void {
  out.family(
    "container_memory_working_set_bytes",
    "gauge",
    "Current working set of the container in bytes",
  );
  out.family(
    "container_cpu_usage_seconds_total",
    "counter",
    "Cumulative cpu time consumed in seconds",
  );
  out.family(
    "container_spec_memory_limit_bytes",
    "gauge",
    "Memory limit for the container in bytes",
  );
  out.family(
    "container_oom_events_total",
    "counter",
    "Count of out of memory events observed for the container",
  );
  for (const pod of pods) {
    const uid = pod.metadata.uid as string;
    for (const c of (pod.spec?.containers ?? []) as Container[]) {
      const key = `${uid}/${c.name}`;
      const labels = {
        namespace: pod.metadata.namespace as string,
        pod: pod.metadata.name as string,
        container: c.name,
        node: (pod.spec?.nodeName as string | undefined) ?? "",
        image: c.image,
      };
      // cAdvisor reports only containers that exist on the node.
      const known = tel.cpuSeconds.has(key) || (tel.oomEvents.get(key)?.count ?? 0) > 0;
      if (containerStartedAt(pod, c.name) === undefined && !known) continue;
      out.sample("container_memory_working_set_bytes", labels, memoryBytes(pod, c.name, now));
      out.sample("container_cpu_usage_seconds_total", labels, tel.cpuSeconds.get(key) ?? 0);
      const limit = c.resources?.limits?.memory;
      out.sample("container_spec_memory_limit_bytes", labels, limit ? parseQuantity(limit) : 0);
      out.sample("container_oom_events_total", labels, tel.oomEvents.get(key)?.count ?? 0);
    }
  }
}

function renderApp(out: Exposition, tel: Telemetry, pods: KubeObject[]): void {
  out.family("http_requests_total", "counter", "Total HTTP requests served, by status code");
  out.family("http_request_duration_seconds", "histogram", "HTTP request latency in seconds");
  for (const pod of pods) {
    const r = tel.requests.get(pod.metadata.uid as string);
    if (!r) continue;
    const labels = {
      namespace: pod.metadata.namespace as string,
      pod: pod.metadata.name as string,
    };
    for (const [code, n] of [...r.byCode].sort()) {
      out.sample("http_requests_total", { ...labels, code }, Math.floor(n));
    }
    const cumulative = r.buckets.map((b) => Math.floor(b));
    const count = Math.floor(r.count);
    out.histogram(
      "http_request_duration_seconds",
      labels,
      DURATION_BUCKETS,
      cumulative,
      r.sum,
      count,
    );
  }
}

function renderNodes(out: Exposition, tel: Telemetry, pods: KubeObject[], now: number): void {
  const fam: [string, "gauge" | "counter", string][] = [
    ["node_filesystem_size_bytes", "gauge", "Filesystem size in bytes."],
    [
      "node_filesystem_avail_bytes",
      "gauge",
      "Filesystem space available to non-root users in bytes.",
    ],
    ["node_disk_io_time_seconds_total", "counter", "Total seconds spent doing I/Os."],
    [
      "node_disk_read_time_seconds_total",
      "counter",
      "The total number of seconds spent by all reads.",
    ],
    [
      "node_disk_reads_completed_total",
      "counter",
      "The total number of reads completed successfully.",
    ],
    [
      "node_disk_read_latency_seconds",
      "gauge",
      "Average read latency (simulator convenience; rate(read_time)/rate(reads) on real nodes).",
    ],
    ["node_edac_correctable_errors_total", "counter", "Total correctable memory errors."],
    ["node_hwmon_temp_celsius", "gauge", "Hardware monitor for temperature (input)"],
    ["node_memory_MemAvailable_bytes", "gauge", "Memory information field MemAvailable_bytes."],
    ["node_memory_MemTotal_bytes", "gauge", "Memory information field MemTotal_bytes."],
    ["node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode."],
  ];
  for (const [n, t, h] of fam) out.family(n, t, h);
  for (const node of tel.ctx.store.list("nodes")) {
    const name = node.metadata.name as string as string;
    const rt = tel.nodes.observe(node, now);
    // A dead node's exporter cannot be scraped: its series stop.
    if (!kubeletAlive(rt, now)) continue;
    const sig = nodeSignals(rt.behaviour, rt.since, now);
    const c = tel.nodeCounters.get(name);
    const fs = { node: name, device: "/dev/nvme0n1p1", fstype: "ext4", mountpoint: "/" };
    out.sample("node_filesystem_size_bytes", fs, sig.fsSizeBytes);
    out.sample("node_filesystem_avail_bytes", fs, sig.fsAvailBytes);
    const disk = { node: name, device: "nvme0n1" };
    out.sample("node_disk_io_time_seconds_total", disk, c?.ioTimeSeconds ?? 0);
    out.sample("node_disk_read_time_seconds_total", disk, c?.readTimeSeconds ?? 0);
    out.sample("node_disk_reads_completed_total", disk, Math.floor(c?.reads ?? 0));
    out.sample("node_disk_read_latency_seconds", disk, sig.diskLatencyMs / 1000);
    out.sample(
      "node_edac_correctable_errors_total",
      { node: name, controller: "0" },
      Math.floor(c?.eccErrors ?? 0),
    );
    out.sample(
      "node_hwmon_temp_celsius",
      { node: name, chip: "platform_coretemp_0", sensor: "temp1" },
      sig.temperatureC,
    );
    const total = parseQuantity(
      (node.status?.capacity as Record<string, string> | undefined)?.memory ?? "16Gi",
    );
    const used = pods
      .filter((p) => p.spec?.nodeName === name)
      .flatMap((p) =>
        ((p.spec?.containers ?? []) as Container[]).map((ct) => memoryBytes(p, ct.name, now)),
      )
      .reduce((a, b) => a + b, 0);
    out.sample("node_memory_MemTotal_bytes", { node: name }, total);
    out.sample(
      "node_memory_MemAvailable_bytes",
      { node: name },
      Math.max(0, total - 2 ** 30 - used),
    );
    const busy = c?.cpuBusySeconds ?? 0;
    out.sample("node_cpu_seconds_total", { node: name, cpu: "0", mode: "user" }, busy);
    out.sample(
      "node_cpu_seconds_total",
      { node: name, cpu: "0", mode: "idle" },
      c?.cpuIdleSeconds ?? 0,
    );
  }
}
