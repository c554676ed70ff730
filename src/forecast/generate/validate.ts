/**
 * Server-side dry run of generated objects (`dryRun=All`): the API server runs admission and
 * schema validation without persisting, so a file that passes here applies cleanly. A kind
 * whose CRD is not installed (KEDA, prometheus-operator) fails with the server's own message.
 */
import { type KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { GeneratedFile } from "./generate.ts";

export interface Validation {
  file: string;
  ok: boolean;
  message: string;
}

export async function dryRunAll(
  kc: KubeConfig,
  files: readonly GeneratedFile[],
): Promise<Validation[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const out: Validation[] = [];
  for (const f of files) {
    try {
      await api.create(f.object as never, undefined, "All", "opsloop");
      out.push({ file: f.file, ok: true, message: "accepted by server-side dry run" });
    } catch (e) {
      out.push({ file: f.file, ok: false, message: apiMessage(e) });
    }
  }
  return out;
}

function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // Not a Status object: the raw body is the most useful thing to show.
      return body;
    }
  }
  return e instanceof Error ? e.message : String(e);
}
