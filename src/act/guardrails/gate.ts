/**
 * `evaluate` is pure, so two triggers that both evaluate before either has applied its action
 * would both pass a rate limit of one. The gate closes that gap inside one process: an allowed
 * verdict reserves its action at once (it counts as applied for everyone evaluated after it)
 * until the caller commits it (now in the audit log, which `history()` returns) or releases
 * it (not applied after all). Use one gate per policy per agent process.
 *
 *   const ticket = gate.admit(req);          // req without `recent`; the gate supplies it
 *   if (ticket.verdict.allowed) { try { await apply(); audit…; ticket.commit(); }
 *                                 catch { ticket.release(); } }
 */
import {
  evaluate,
  type GuardrailRequest,
  type Policy,
  type RecentAction,
  type Verdict,
} from "./policy.ts";

export interface Ticket {
  verdict: Verdict;
  /** The action was applied and recorded where `history()` reads it: drop the reservation. */
  commit(): void;
  /** The action was not applied: free its place in the limits. */
  release(): void;
}

export class GuardrailGate {
  private readonly policy: Policy;
  private readonly history: () => RecentAction[];
  private readonly reserved = new Set<RecentAction>();

  constructor(policy: Policy, history: () => RecentAction[]) {
    this.policy = policy;
    this.history = history;
  }

  /** Evaluates with applied + reserved actions as history; synchronous, so admissions never interleave. */
  admit(req: Omit<GuardrailRequest, "recent"> & { now: number }): Ticket {
    const recent = [...this.history(), ...this.reserved];
    const verdict = evaluate(this.policy, { ...req, recent });
    if (!verdict.allowed) return { verdict, commit: () => {}, release: () => {} };
    const hold: RecentAction = {
      action: req.action,
      target: req.target,
      time: req.now,
      ...(req.blast ? { pods: req.blast.pods, nodes: req.blast.nodes } : {}),
    };
    this.reserved.add(hold);
    const drop = () => {
      this.reserved.delete(hold);
    };
    return { verdict, commit: drop, release: drop };
  }

  /** Reservations not yet committed or released (in-flight actions). */
  inFlight(): number {
    return this.reserved.size;
  }
}
