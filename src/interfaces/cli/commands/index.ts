/** Every CLI command, one registration line each (add yours here). */
import type { Command } from "commander";
import { registerSimCommand } from "./sim.ts";

export function registerCommands(program: Command): void {
  registerSimCommand(program);
}
