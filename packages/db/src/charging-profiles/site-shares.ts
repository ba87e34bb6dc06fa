/**
 * How a site's power is shared among the EVs charging there (ISO 15118 smart charging, K15-K17, docs/api.md "Sites"),
 * pure: every EV that can charge gets an equal share, never less than its minimum nor more than it can take, and
 * what one cannot take goes to the others (max-min fairness).
 */

/** What one EV asks of the site, in W. */
export interface ShareClaim {
  /** The most it can take (its own maximum within its station's limits). */
  readonly maxW: number;
  /** The least it can charge with (an AC EV's evMinCurrent; 0 when it stated none): below it, it may as well get 0. */
  readonly minW: number;
}

/**
 * The share of each claim (W, in the claims' order) of `budgetW`. Claims are admitted in their order (the EV that came
 * first first) while their minimums fit into the budget; the others get 0 and wait for power to be freed (an EV given
 * less than its minimum could not charge, and the others would lose that power). The admitted get one common level,
 * each clamped to its own [minimum, maximum], as high as the budget allows; when all maximums fit, each gets its
 * maximum. The shares never add up to more than the budget.
 */
export function equalShares(budgetW: number, claims: readonly ShareClaim[]): number[] {
  const budget = Math.max(0, budgetW);
  const bounds = claims.map((c) => {
    const max = Math.max(0, c.maxW);
    return { min: Math.min(Math.max(0, c.minW), max), max };
  });
  const admitted: number[] = [];
  let reserved = 0;
  for (const [i, b] of bounds.entries()) {
    if (reserved + b.min > budget) continue;
    admitted.push(i);
    reserved += b.min;
  }
  const at = (level: number, i: number) => Math.min(bounds[i]!.max, Math.max(bounds[i]!.min, level));
  const total = (level: number) => admitted.reduce((sum, i) => sum + at(level, i), 0);
  // total() is piecewise linear between the claims' minimums and maximums: the level is found exactly (not by
  // bisection), so a budget that divides evenly gives even shares (a share of 21,390 W is 31.0 A, not 30.9).
  const points = [...new Set(admitted.flatMap((i) => [bounds[i]!.min, bounds[i]!.max]))].sort(
    (x, y) => x - y,
  );
  let level = points.at(-1) ?? 0;
  if (total(level) > budget) {
    // total(0) is the admitted minimums, within the budget: the level lies after `previous`, up to the first point
    // whose total reaches the budget, where each claim free to move (minimum ≤ previous, maximum ≥ the point) adds 1.
    let previous = 0;
    for (const point of points) {
      if (total(point) >= budget) {
        const free = admitted.filter((i) => bounds[i]!.min <= previous && bounds[i]!.max >= point).length;
        level = free > 0 ? previous + (budget - total(previous)) / free : previous;
        break;
      }
      previous = point;
    }
  }
  const shares = claims.map(() => 0);
  for (const i of admitted) shares[i] = at(level, i);
  return shares;
}
