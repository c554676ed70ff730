// One place that runs EnsembleDetector (with the given options) over every file of a corpus and
// returns the per-row scores the NAB scorer consumes; the experiment scripts share it.
import { EnsembleDetector } from "../../src/detect/ensemble.ts";
import type { NabCorpus } from "../../src/detect/nab/corpus.ts";

export function detectorScores(
  c: NabCorpus,
  opts: ConstructorParameters<typeof EnsembleDetector>[0] = {},
): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const f of c.files) {
    const d = new EnsembleDetector(opts);
    m.set(
      f.key,
      f.values.map((v, i) => d.update(f.times[i] ?? 0, v).score),
    );
  }
  return m;
}
