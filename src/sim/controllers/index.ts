/** Registers the controller-manager models. (Filled in by the controllers work.) */
import type { Simulation } from "../engine.ts";

export function registerControllers(_sim: Simulation): void {}
