/**
 * Real elapsed time and memory depend on how busy the machine is, so the tests that measure them assert wide
 * bounds (at least 5x the figure on a quiet machine) and print what they measured: the log shows the margin
 * that was left, and precise figures come from `npm run bench`, never from a test.
 */
export function printFigure(what: string, value: number, unit: string, bound?: number): void {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  const limit = bound === undefined ? '' : ` (bound ${bound} ${unit})`;
  // Straight to stderr: jest's console adds a stack trace to every line.
  process.stderr.write(`  figure: ${what}: ${shown} ${unit}${limit}\n`);
}
