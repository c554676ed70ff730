/**
 * Ensemble explanations: the strongest component surprise in words a person understands, plus how
 * rare that surprise is for this series (the likelihood z).
 */

const DAY_MS = 86_400_000;

export interface Why {
  v: number;
  previous: number;
  longMean: number;
  zSpike: number;
  zPoint: number;
  zLevel: number;
  zVolatility: number;
  zKnn: number;
  zMissed: number;
  zz: number;
  /** Set when the burst channel, not the likelihood, carried the score: recent vs usual jump count. */
  burst?: { recent: number; usual: number; window: number };
  /** Set when the range channel carried the score: distance to the nearest value seen before. */
  outside?: number;
  /** Set when the flat-run channel carried the score: points unchanged now, and the longest run before. */
  flat?: { run: number; record: number };
  /** Set when the shift channel carried the score: points in the recent window. */
  shifted?: number;
}

function fmt(x: number): string {
  return Number(x.toPrecision(x >= 100 || x <= -100 ? 8 : 3)).toString();
}

/** The strongest of the component surprises, in words, plus how rare that is for this series. */
export function explain(w: Why, periodMs: number): string {
  if (w.burst) {
    const b = w.burst;
    return `large jumps came unusually often: about ${fmt(b.recent)} in the last ${b.window} points, against about ${fmt(b.usual)} usually`;
  }
  if (w.flat) {
    return `value ${fmt(w.v)} has not changed for ${w.flat.run} points, longer than this series has ever stayed put (longest before: ${w.flat.record})`;
  }
  if (w.outside !== undefined) {
    return `value ${fmt(w.v)} lies outside every value this series has taken before: about ${fmt(w.outside)} from the nearest`;
  }
  if (w.shifted !== undefined) {
    return `the mix of the last ${w.shifted} values (now ${fmt(w.v)}) differs from this series' usual distribution, though no single value stands out`;
  }
  const strongest = Math.max(w.zPoint, w.zLevel, w.zVolatility, w.zKnn, w.zMissed);
  const season = periodMs >= 7 * DAY_MS ? "a week" : "a day";
  let what: string;
  if (strongest === w.zMissed && strongest > w.zPoint) {
    what = `value ${fmt(w.v)} breaks the series' ${season === "a day" ? "daily" : "weekly"} pattern: it is far from the usual value at this time of ${season === "a day" ? "day" : "week"} though the step from ${fmt(w.previous)} is ordinary`;
  } else if (strongest === w.zKnn && strongest > w.zPoint) {
    what = `the shape of the last few values (now ${fmt(w.v)}) is unlike any recently seen`;
  } else if (strongest === w.zLevel) {
    what = `level moved to about ${fmt(w.v)} from a long-run mean of ${fmt(w.longMean)}`;
  } else if (strongest === w.zVolatility) {
    what = "the series became much more volatile than usual";
  } else {
    what = `value ${fmt(w.v)} after ${fmt(w.previous)} is a jump of ${fmt(w.zSpike)}× the usual change`;
    if (periodMs > 0) {
      what += `, and ${fmt(w.zPoint)}× the usual deviation from the same time on recent ${season === "a day" ? "days" : "weeks"}`;
    }
  }
  // Past 100σ the exact figure means nothing (a flat history makes any change "infinitely" rare).
  const sigma = w.zz >= 100 ? "over 100" : fmt(w.zz);
  return `${what}; this surprise is ${sigma}σ above what is normal for this series`;
}
