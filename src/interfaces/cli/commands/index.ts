/** Every CLI command, one registration line each (add yours here). */
import type { Command } from "commander";
import { registerDetectCommand } from "./detect.ts";
import { registerSimCommand } from "./sim.ts";

export function registerCommands(program: Command): void {
  registerSimCommand(program);
  registerDetectCommand(program);
}
