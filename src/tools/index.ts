/**
 * Every registered capability. Each stage keeps its tools in its own `src/tools/<area>-tools.ts`
 * and adds its array here, once; the CLI, MCP server, HTTP API and investigator all build their
 * registry from `allTools()`, so nothing is registered twice or differently per surface.
 */

import { APPROVAL_TOOLS } from "./approval-tools.ts";
import { CLUSTER_TOOLS } from "./cluster-tools.ts";
import { DETECT_TOOLS } from "./detect-tools.ts";
import { DIAGNOSE_TOOLS } from "./diagnose-tools.ts";
import { INCIDENT_TOOLS } from "./incident-tools.ts";
import { METRICS_TOOLS } from "./metrics-tools.ts";
import { PREDICT_TOOLS } from "./predict-tools.ts";
import type { Tool } from "./registry.ts";
import { ToolRegistry } from "./registry.ts";
import { SCAN_TOOLS } from "./scan-tools.ts";
import { LOOP_TOOLS } from "./tools.ts";

export function allTools(): Tool[] {
  return [
    ...LOOP_TOOLS,
    ...PREDICT_TOOLS,
    ...APPROVAL_TOOLS,
    ...CLUSTER_TOOLS,
    ...METRICS_TOOLS,
    ...INCIDENT_TOOLS,
    ...DETECT_TOOLS,
    ...DIAGNOSE_TOOLS,
    ...SCAN_TOOLS,
  ];
}

/** Read-only tools only, unless writes are allowed (MCP `--allow-write`, the agent's policy). */
export function toolRegistry(opts: { allowWrite: boolean }): ToolRegistry {
  return new ToolRegistry(allTools().filter((t) => opts.allowWrite || t.annotations.readOnly));
}
