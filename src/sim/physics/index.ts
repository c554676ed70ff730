/** Registers the scheduler, kubelet and node models. (Filled in by the physics work.) */
import type { Simulation } from "../engine.ts";
import type { ImageRegistry } from "./image-registry.ts";

export interface PhysicsOptions {
  images: ImageRegistry;
}

export function registerPhysics(_sim: Simulation, _opts: PhysicsOptions): void {}
