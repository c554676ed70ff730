/**
 * The investigator inside the running loop: every incident no rule explains (`needsInvestigation`)
 * is investigated once, one at a time in the background, and the conclusion is stored on the
 * incident, so a restart does not ask again and ticks never wait for a model. A failed run is
 * stored too (stoppedBy "error"): a model that is down is not asked again every cycle.
 */
import type { LanguageModel } from "ai";
import type { Clock } from "../../core/clock.ts";
import type { Incident, IncidentInvestigation } from "../../core/types.ts";
import type { IncidentManager } from "../../incidents/incidents.ts";
import type { ToolContext } from "../../tools/context.ts";
import { toolRegistry } from "../../tools/index.ts";
import type { ToolRegistry } from "../../tools/registry.ts";
import type { Agent } from "../agent.ts";
import { investigate, needsInvestigation } from "./investigator.ts";

export interface InvestigatorBudgets {
  maxSteps?: number;
  maxOutputTokens?: number;
  maxToolChars?: number;
  maxTotalToolChars?: number;
}

export interface AutoInvestigatorOptions extends InvestigatorBudgets {
  model: LanguageModel;
  registry: ToolRegistry;
  ctx: ToolContext;
  incidents: IncidentManager;
  clock: Clock;
  writeTools?: string[];
  onError?: (e: unknown) => void;
}

export class AutoInvestigator {
  private readonly o: AutoInvestigatorOptions;
  private readonly asked = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(o: AutoInvestigatorOptions) {
    this.o = o;
  }

  /** Queues the incident if no rule explains it and it was never investigated. */
  consider(inc: Incident): void {
    if (inc.investigation || this.asked.has(inc.id) || !needsInvestigation(inc)) return;
    this.asked.add(inc.id);
    this.queue = this.queue.then(() => this.run(inc.id));
  }

  /** Resolves when every queued investigation has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async run(id: string): Promise<void> {
    const inc = this.o.incidents.get(id);
    if (!inc || inc.investigation || !needsInvestigation(inc)) return;
    let result: IncidentInvestigation;
    try {
      const r = await investigate(inc, this.o);
      result = {
        summary: r.summary,
        steps: r.steps,
        toolCalls: r.toolCalls.map((c) => ({ tool: c.tool, ok: c.ok })),
        stoppedBy: r.stoppedBy,
        time: this.o.clock.now(),
      };
    } catch (e) {
      this.o.onError?.(e);
      const message = e instanceof Error ? e.message : String(e);
      result = {
        summary: `investigation failed: ${message}`,
        steps: 0,
        toolCalls: [],
        stoppedBy: "error",
        time: this.o.clock.now(),
      };
    }
    this.o.incidents.recordInvestigation(id, result, this.o.clock.now());
  }
}

/**
 * The runtime's investigator: incidents are considered when they open or change (from ticks
 * and alerts) and when a remediation escalates them; write tools only as the policy names them.
 */
export function attachInvestigator(
  o: Omit<AutoInvestigatorOptions, "registry"> & { agent: Agent },
): AutoInvestigator {
  const registry = toolRegistry({ allowWrite: (o.writeTools?.length ?? 0) > 0 });
  const inv = new AutoInvestigator({ ...o, registry });
  o.incidents.subscribe((events) => {
    for (const e of events) if (e.type !== "resolved") inv.consider(e.incident);
  });
  o.agent.on("action", (inc) => inv.consider(inc));
  for (const inc of o.incidents.list({ active: true })) inv.consider(inc);
  return inv;
}
