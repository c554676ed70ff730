/**
 * One log budget per diagnosis, shared by every analyzer that reads logs (crash loops, failed
 * Jobs): a cluster with hundreds of distinct failures still costs a bounded number of API calls
 * per cycle. Reads past the budget answer `undefined`, and the analyzers fall back to the
 * container status alone, as they do when a log cannot be read.
 */
import type { LogReader } from "../sources/kubernetes/snapshot.ts";

export const MAX_LOG_READS = 25;

export function budgetedLogReader(readLog: LogReader, max = MAX_LOG_READS): LogReader {
  let used = 0;
  return (ns, name, container, opts) => {
    if (used >= max) return Promise.resolve(undefined);
    used++;
    return readLog(ns, name, container, opts);
  };
}
