/**
 * Where `rightsize`, `plan-scaling` and `generate` read history: a simulated scenario (`--scenario`), or a
 * real cluster's objects (`--kubeconfig`, informers) with its metrics from Prometheus
 * (`--prometheus URL`). Exactly one of the two.
 */
import { OpsloopError } from "../../core/errors.ts";
import { prometheusHistory } from "../../forecast/history/prometheus.ts";
import { type History, simulatedHistory } from "../../forecast/history/simulated.ts";
import { KubeSource, loadKubeConfig } from "../../sources/kubernetes/kube-source.ts";
import { PromClient } from "../../sources/prometheus/api-client.ts";

export interface HistoryFlags {
  scenario?: string;
  prometheus?: string;
  kubeconfig?: string;
}

export async function loadHistory(flags: HistoryFlags, days: number): Promise<History> {
  if (Boolean(flags.scenario) === Boolean(flags.prometheus)) {
    throw new OpsloopError(
      "invalid_input",
      "give either --scenario NAME (simulated history) or --prometheus URL (with --kubeconfig for the cluster's objects)",
    );
  }
  if (flags.scenario) return simulatedHistory(flags.scenario, days);
  const source = new KubeSource(loadKubeConfig(flags.kubeconfig));
  await source.start();
  try {
    return await prometheusHistory(
      new PromClient({ url: flags.prometheus as string }),
      source.snapshot(),
      days,
    );
  } finally {
    await source.stop();
  }
}
