// The NAB corpus with every stream started `pct`% of its rows later: the first rows dropped and
// windows clipped to what is left (NAB's probation is then 15% of what is left). Used by shift.ts
// and file-diff.ts to judge a change over several stream starts.
import type { NabCorpus } from "../../src/detect/nab/corpus.ts";

export function shiftedCorpus(full: NabCorpus, pct: number): NabCorpus {
  const files = full.files.map((f) => {
    const cut = Math.floor((f.values.length * pct) / 100);
    const windows = f.windows
      .filter(([, r]) => r >= cut)
      .map(([l, r]) => [Math.max(l, cut) - cut, r - cut] as [number, number]);
    return {
      ...f,
      timestamps: f.timestamps.slice(cut),
      times: f.times.slice(cut),
      values: f.values.slice(cut),
      windows,
    };
  });
  return { ...full, files, numWindows: files.reduce((n, f) => n + f.windows.length, 0) };
}
