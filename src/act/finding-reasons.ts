/**
 * The finding reasons runbooks may trigger on, each with the producer that emits it, its
 * finding kinds and subject kinds. A runbook trigger naming a reason nobody emits never fires
 * and nothing says so (`NodePredictedFailure`, `IPExhaustion` were such); the runbook tests
 * check every built-in trigger against this list, and check each entry against its producer
 * (the diagnose case corpus, the live detector's reason function, the forecast's constant).
 * Add a reason here when a producer starts emitting one a runbook should act on.
 */
import type { FindingKind } from "../core/types.ts";
import { EVENT_PATTERNS } from "../diagnose/analyzers/event-patterns.ts";
import { NODES } from "../diagnose/analyzers/nodes.ts";
import { PENDING } from "../diagnose/analyzers/pending.ts";
import { POD_STARTUP } from "../diagnose/analyzers/pod-startup.ts";
import { PRESCALE_SOURCE, SURGE_PREDICTED, SURGE_WINDOW_ENDED } from "../forecast/prescale.ts";
import { SURGE_SOURCE, TRAFFIC_SURGE, TRAFFIC_SURGE_ENDED } from "../forecast/surge-predictions.ts";

export interface ProducedReason {
  /** `finding.source` of the producer, e.g. "diagnose/nodes", "detect/ensemble". */
  source: string;
  kinds: FindingKind[];
  subjects: string[];
}

const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"];
const podStartup: ProducedReason = { source: POD_STARTUP, kinds: ["problem"], subjects: WORKLOADS };
const nodes: ProducedReason = { source: NODES, kinds: ["problem"], subjects: ["Node"] };
const hpaPrescale: ProducedReason = {
  source: PRESCALE_SOURCE,
  kinds: ["prediction"],
  subjects: ["HorizontalPodAutoscaler"],
};

export const PRODUCED_REASONS: Record<string, ProducedReason> = {
  CrashLoopBackOff: podStartup,
  CreateContainerConfigError: podStartup,
  // ErrImagePull is folded into ImagePullBackOff by the pod-startup analyzer.
  ImagePullBackOff: podStartup,
  OOMKilled: podStartup,
  FailedMount: podStartup,
  FailedScheduling: { source: PENDING, kinds: ["problem"], subjects: WORKLOADS },
  ProvisioningFailed: {
    source: "diagnose/storage",
    kinds: ["problem"],
    subjects: ["PersistentVolumeClaim"],
  },
  FailedCreatePodSandBox: {
    source: EVENT_PATTERNS,
    kinds: ["problem"],
    subjects: WORKLOADS,
  },
  NodeNotReady: nodes,
  DiskPressure: nodes,
  Evicted: nodes,
  HardwareDegradation: { source: "detect/ensemble", kinds: ["anomaly"], subjects: ["Node"] },
  DiskPressurePredicted: {
    source: "detect/trend-to-limit",
    kinds: ["prediction"],
    subjects: ["Node"],
  },
  OOMPredicted: { source: "detect/trend-to-limit", kinds: ["prediction"], subjects: WORKLOADS },
  [TRAFFIC_SURGE]: {
    source: SURGE_SOURCE,
    kinds: ["prediction"],
    subjects: ["Deployment", "StatefulSet"],
  },
  [TRAFFIC_SURGE_ENDED]: { source: SURGE_SOURCE, kinds: ["prediction"], subjects: ["Deployment"] },
  [SURGE_PREDICTED]: hpaPrescale,
  [SURGE_WINDOW_ENDED]: hpaPrescale,
};
