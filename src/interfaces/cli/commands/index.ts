/** Every CLI command, one registration line each (add yours here). */
import type { Command } from "commander";
import { registerApprovalsCommand } from "./approvals.ts";
import { registerAuditCommand } from "./audit.ts";
import { registerDemoCommand } from "./demo.ts";
import { registerDetectCommand } from "./detect.ts";
import { registerDiagnoseCommand } from "./diagnose.ts";
import { registerForecastCommand } from "./forecast.ts";
import { registerGenerateCommand } from "./generate.ts";
import { registerIncidentsCommand } from "./incidents.ts";
import { registerMcpCommand } from "./mcp.ts";
import { registerNodeReadinessCommand } from "./node-readiness.ts";
import { registerPlanScalingCommand } from "./plan-scaling.ts";
import { registerPolicyCommand } from "./policy.ts";
import { registerRcaCommand } from "./rca.ts";
import { registerReportCommand } from "./report.ts";
import { registerRightsizeCommand } from "./rightsize.ts";
import { registerRunCommand } from "./run.ts";
import { registerRunbooksCommand } from "./runbooks.ts";
import { registerScanCommand } from "./scan.ts";
import { registerSimCommand } from "./sim.ts";

export function registerCommands(program: Command): void {
  registerSimCommand(program);
  registerDemoCommand(program);
  registerRunCommand(program);
  registerDiagnoseCommand(program);
  registerAuditCommand(program);
  registerApprovalsCommand(program);
  registerPolicyCommand(program);
  registerRunbooksCommand(program);
  registerNodeReadinessCommand(program);
  registerDetectCommand(program);
  registerForecastCommand(program);
  registerRightsizeCommand(program);
  registerPlanScalingCommand(program);
  registerReportCommand(program);
  registerRcaCommand(program);
  registerIncidentsCommand(program);
  registerGenerateCommand(program);
  registerMcpCommand(program);
  registerScanCommand(program);
}
