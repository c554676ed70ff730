/**
 * Decodes the scheduler's FitError (framework.FitError.Error in pkg/scheduler/framework):
 * `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {k: v}.
 * preemption: 0/5 nodes are available: ...` — a sorted histogram of per-node filter reasons,
 * or a single PreFilter message (`pod has unbound immediate PersistentVolumeClaims`) that
 * applies to every node. The preemption suffix only repeats the verdicts, so it is dropped.
 */

export interface SchedulingReason {
  /** Nodes that failed for this reason; undefined for a PreFilter message (all nodes). */
  count?: number;
  reason: string;
  /** The taint `{key: value}` for untolerated-taint reasons. */
  taint?: { key: string; value: string };
  /** The resource for `Insufficient <resource>`. */
  insufficient?: string;
}

export interface SchedulingFailure {
  nodes: number;
  reasons: SchedulingReason[];
}

const HEAD = /^0\/(\d+) nodes are available:\s*/;

function decodeReason(text: string): SchedulingReason {
  const m = /^(\d+) (.+)$/.exec(text);
  const count = m ? Number(m[1]) : undefined;
  const reason = (m ? m[2] : text) as string;
  const out: SchedulingReason = { reason };
  if (count !== undefined) out.count = count;
  const taint = /untolerated taint\(?s?\)? \{([^:}]+):\s*([^}]*)\}/.exec(reason);
  if (taint) out.taint = { key: taint[1] as string, value: (taint[2] ?? "").trim() };
  const ins = /^Insufficient (\S+)/.exec(reason);
  if (ins) out.insufficient = ins[1] as string;
  return out;
}

/** Undefined when the message is not a FitError (e.g. a binding or internal error). */
export function decodeFitError(message: string): SchedulingFailure | undefined {
  if (message.startsWith("no nodes available to schedule pods"))
    return { nodes: 0, reasons: [{ reason: "no nodes available to schedule pods" }] };
  const head = HEAD.exec(message);
  if (!head) return undefined;
  const body = message.slice(head[0].length).split(/\.?\s+preemption:/)[0] ?? "";
  const trimmed = body.replace(/\.\s*$/, "");
  // Reasons are ", "-joined; a reason itself never contains ", <digit>".
  const parts = /^\d+ /.test(trimmed) ? trimmed.split(/, (?=\d+ )/) : [trimmed];
  return { nodes: Number(head[1]), reasons: parts.filter(Boolean).map(decodeReason) };
}

/** "3 Insufficient cpu, 2 untolerated taint {dedicated: ml}" as counts per reason. */
export function reasonCounts(f: SchedulingFailure): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of f.reasons) out[r.reason] = r.count ?? f.nodes;
  return out;
}
