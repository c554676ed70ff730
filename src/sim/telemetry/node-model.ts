/**
 * Node hardware and filesystem signals as functions of time since the node behaviour took
 * effect, so live metrics and backfilled history agree. The filesystem uses the kubelet model's
 * own `nodeFs`, so the metric and DiskPressure see the same disk.
 */
import type { NodeBehaviour } from "../behaviour.ts";
import { type NodeRuntime, nodeFs } from "../physics/node-state.ts";

export interface NodeSignals {
  fsSizeBytes: number;
  fsAvailBytes: number;
  diskLatencyMs: number;
  readsPerSecond: number;
  eccErrorsPerHour: number;
  temperatureC: number;
}

export function nodeSignals(b: NodeBehaviour, since: number, now: number): NodeSignals {
  const hours = Math.max(0, now - since) / 3_600_000;
  const h = b.hardware;
  const fs = nodeFs(
    { behaviour: b, since } as Pick<NodeRuntime, "behaviour" | "since"> as NodeRuntime,
    now,
  );
  return {
    fsSizeBytes: fs.capacity,
    fsAvailBytes: fs.available,
    diskLatencyMs: Math.max(0.1, h.diskLatencyMs + h.diskLatencyDriftMsPerHour * hours),
    readsPerSecond: 40,
    eccErrorsPerHour: Math.max(0, h.eccErrorsPerHour + h.eccErrorsGrowthPerHour * hours),
    temperatureC: h.temperatureC + h.temperatureDriftCPerHour * hours,
  };
}
