/**
 * RunPodSandbox through the CNI: the AWS VPC CNI fails when the subnet has no free IPs left
 * (`subnetFreeIPs` in the node behaviour is the budget for new pods from then on).
 */
import { stableId } from "../../../core/ids.ts";
import type { KubeObject } from "../../store/types.ts";
import { type NodeRuntime, subnetHasFreeIp } from "../node-state.ts";

export function podSandboxError(
  rt: NodeRuntime,
  pod: KubeObject,
  attempt: number,
): string | undefined {
  if (pod.spec?.hostNetwork || subnetHasFreeIp(rt)) return undefined;
  const sandbox = stableId(`${pod.metadata.uid}/sandbox/${attempt}`, 64);
  return `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${sandbox}": plugin type="aws-cni" name="aws-cni" failed (add): add cmd: failed to assign an IP address to container`;
}
