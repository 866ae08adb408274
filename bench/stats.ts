/** Median and spread of a sample. */
export interface Spread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** The value below which `fraction` of `values` lie (nearest rank on the sorted sample). */
export function percentile(values: ArrayLike<number>, fraction: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileOfSorted(sorted, fraction);
}

export function spreadOf(values: ArrayLike<number>): Spread {
  const sorted = Float64Array.from(values).sort();
  return {
    median: percentileOfSorted(sorted, 0.5),
    p10: percentileOfSorted(sorted, 0.1),
    p90: percentileOfSorted(sorted, 0.9),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    count: sorted.length,
  };
}

function percentileOfSorted(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1]!;
}
