/** The traffic-surge scenario with a CPU HPA on web (min 3, max 20): the prescale tests' cluster. */
import type { KubeObject } from "../../sim/store/types.ts";
import { hpaFor } from "../actions/resources.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

export async function startSurgeWithHpa(): Promise<ActHarness> {
  const h = await startActHarness("traffic-surge", { tickMs: 2_000 });
  h.cluster.apply([
    hpaFor(
      { kind: "Deployment", namespace: "shop", name: "web" },
      { minReplicas: 3, maxReplicas: 20 },
    ) as KubeObject,
  ]);
  return h;
}
