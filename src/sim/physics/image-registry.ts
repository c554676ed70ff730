/**
 * The container registry the simulated kubelet pulls from. Repositories it knows list their
 * tags, so an unknown tag fails like a real registry ("not found"); repositories it does not
 * know are treated as public and pullable. Private repositories need an imagePullSecret.
 */
export interface ImageRegistryConfig {
  /** repository (e.g. "ghcr.io/acme/api") → tags that exist */
  repositories?: Record<string, string[]>;
  /** repositories that need credentials */
  private?: string[];
}

export type PullResult =
  | { ok: true; digest: string }
  | { ok: false; kind: "not-found" | "unauthorized"; message: string };

export interface ImageRegistry {
  pull(image: string, hasPullSecret: boolean): PullResult;
}
