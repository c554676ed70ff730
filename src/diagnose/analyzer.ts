/**
 * The analyzer contract. An analyzer reads the snapshot (one list per kind, already synced) and
 * returns one Finding per root cause, with the affected objects listed. It may read logs of
 * failing containers through `readLog` (bounded by the source), and nothing else: no per-object
 * API calls, so diagnosing 5,000 pods stays a pure in-memory pass.
 */
import type { Finding } from "../core/types.ts";
import type { ClusterSnapshot, LogReader } from "../sources/kubernetes/snapshot.ts";

export interface AnalyzerContext {
  snap: ClusterSnapshot;
  /** Stamps the findings (the cluster's clock in a simulation). */
  now: number;
  readLog?: LogReader;
}

export interface Analyzer {
  /** Stable id used by `--filter` and in Finding.source, e.g. "pod-startup", "service". */
  id: string;
  /** One line for `opsloop diagnose --help` and the docs. */
  description: string;
  /**
   * Hygiene checks (security, unused ConfigMaps) that flag healthy clusters too: they run only
   * when named in `--filter` or with `all`, so "no findings" keeps meaning "nothing is broken".
   */
  optional?: boolean;
  analyze(ctx: AnalyzerContext): Promise<Finding[]> | Finding[];
}
