/**
 * pkg/kubelet/images image manager: pull policy, Pulling/Pulled/Failed events, ErrImagePull
 * then ImagePullBackOff with the pull back-off (10 s doubling to 5 min).
 */

import { splitImage } from "../../../core/image-ref.ts";
import type { KubeObject } from "../../store/types.ts";
import type { ContainerSpec } from "../pod-util.ts";
import { type ContainerRuntime, type KubeletEnv, kubeletSource } from "./runtime.ts";

const PULL_BACKOFF_MS = 10_000;
const PULL_BACKOFF_MAX_MS = 300_000;
const EVENT_EVERY_MS = 10_000;

function pullPolicy(c: ContainerSpec): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image as string;
  return image.includes("@") || splitImage(image).tag !== "latest" ? "IfNotPresent" : "Always";
}

function pullError(image: string, kind: string, message: string): string {
  const code = kind === "not-found" ? "NotFound" : "Unknown";
  return `rpc error: code = ${code} desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${message}`;
}

/** Ensures the image is present; returns false (and sets the waiting state) while it is not. */
export function ensureImage(
  k: KubeletEnv,
  pod: KubeObject,
  c: ContainerSpec,
  rt: ContainerRuntime,
  path: string,
  now: number,
): boolean {
  const image = c.image as string;
  const src = kubeletSource(k.nodeName);
  const ev = k.ctx.events;
  const policy = pullPolicy(c);
  const present = k.nodeImages.has(image);
  if (policy === "Never" && !present) {
    const msg = `Container image "${image}" is not present with pull policy of Never`;
    rt.waiting = { reason: "ErrImageNeverPull", message: msg };
    ev.record(pod, "Warning", "ErrImageNeverPull", msg, src, path);
    return false;
  }
  if (present && policy !== "Always") {
    ev.record(
      pod,
      "Normal",
      "Pulled",
      `Container image "${image}" already present on machine`,
      src,
      path,
    );
    return true;
  }
  if (now < rt.pullRetryAt) {
    rt.waiting = { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` };
    if (now - rt.lastBackOffEvent >= EVENT_EVERY_MS) {
      rt.lastBackOffEvent = now;
      ev.record(pod, "Normal", "BackOff", `Back-off pulling image "${image}"`, src, path);
      ev.record(pod, "Warning", "Failed", "Error: ImagePullBackOff", src, path);
    }
    return false;
  }
  ev.record(pod, "Normal", "Pulling", `Pulling image "${image}"`, src, path);
  const result = k.images.pull(image, (pod.spec?.imagePullSecrets ?? []).length > 0);
  if (!result.ok) {
    const msg = pullError(image, result.kind, result.message);
    rt.pullFailures++;
    rt.pullRetryAt =
      now + Math.min(PULL_BACKOFF_MAX_MS, PULL_BACKOFF_MS * 2 ** (rt.pullFailures - 1));
    rt.lastBackOffEvent = Number.NEGATIVE_INFINITY;
    rt.waiting = { reason: "ErrImagePull", message: msg };
    ev.record(pod, "Warning", "Failed", `Failed to pull image "${image}": ${msg}`, src, path);
    ev.record(pod, "Warning", "Failed", "Error: ErrImagePull", src, path);
    return false;
  }
  rt.pullFailures = 0;
  rt.pullRetryAt = 0;
  rt.imageID = `${splitImage(image).repository}@${result.digest}`;
  k.nodeImages.add(image);
  const secs = (0.4 + k.ctx.random() * 4).toFixed(3);
  const size = 20_000_000 + Math.floor(k.ctx.random() * 200_000_000);
  ev.record(
    pod,
    "Normal",
    "Pulled",
    `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${size} bytes.`,
    src,
    path,
  );
  return true;
}
