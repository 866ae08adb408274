import type { BenchResults, ColdStartSpreads, ContenderDetails, ContenderFigures } from './benchmark';
import type { ContenderName } from './options';
import type { Spread } from './stats';

/** Issue 5's targets for suspense, each checked against the same run's figures. */
export interface TargetCheck {
  readonly target: string;
  readonly figure: string;
  readonly met: boolean;
}

const MAX_ZIP_BYTES = 150_000;
const MAX_CACHED_P50_US = 5;
const MAX_UNCACHED_TO_BARE = 1.15;
const MAX_COLD_START_RATIO: Partial<Record<ContenderName, number>> = { 'esbuild-defaults': 0.4, 'poc-style': 0.3, powertools: 0.75 };

/** Cold start as the targets read it: median module load plus median first invocation. */
export function coldStartMs(figures: ContenderFigures): number {
  return figures.loadMsMedian + figures.firstInvokeMsMedian;
}

export function targetChecks(results: BenchResults): TargetCheck[] {
  const suspense = results.contenders.suspense;
  if (!suspense) return [];
  const checks: TargetCheck[] = [];
  for (const [name, limit] of Object.entries(MAX_COLD_START_RATIO) as Array<[ContenderName, number]>) {
    const other = results.contenders[name];
    if (!other) continue;
    const ratio = coldStartMs(suspense) / coldStartMs(other);
    const floorRatio = results.details.coldStartFloor.traced.coldStartMs.median / coldStartMs(other);
    checks.push({
      target: `cold start <= ${limit}x ${name}`,
      figure: `${ratio.toFixed(2)}x (${coldStartMs(suspense).toFixed(1)} vs ${coldStartMs(other).toFixed(1)} ms); traced floor alone ${floorRatio.toFixed(2)}x`,
      met: ratio <= limit,
    });
  }
  checks.push({ target: `zip <= ${MAX_ZIP_BYTES.toLocaleString('en-US')} bytes`, figure: `${suspense.zipBytes.toLocaleString('en-US')} bytes`, met: suspense.zipBytes <= MAX_ZIP_BYTES });
  checks.push({ target: `cached warm p50 < ${MAX_CACHED_P50_US} us`, figure: `${suspense.warmP50Us.toFixed(2)} us`, met: suspense.warmP50Us < MAX_CACHED_P50_US });
  const uncachedRatio = suspense.uncachedP50Us / results.bareGetItemP50Us;
  checks.push({
    target: `uncached p50 <= ${MAX_UNCACHED_TO_BARE}x bare GetItem`,
    figure: `${uncachedRatio.toFixed(3)}x (${suspense.uncachedP50Us.toFixed(0)} vs ${results.bareGetItemP50Us.toFixed(0)} us)`,
    met: uncachedRatio <= MAX_UNCACHED_TO_BARE,
  });
  checks.push({ target: 'zero errors', figure: String(suspense.errors), met: suspense.errors === 0 });
  return checks;
}

interface Row {
  readonly label: string;
  readonly value: (figures: ContenderFigures, details: ContenderDetails) => number;
  readonly format: (value: number, details: ContenderDetails) => string;
}

const spreadText = (spread: Spread, digits: number): string => `${spread.p10.toFixed(digits)}-${spread.p90.toFixed(digits)}`;

const ROWS: readonly Row[] = [
  { label: 'zip bytes', value: (f) => f.zipBytes, format: (v) => v.toLocaleString('en-US') },
  { label: 'load ms p50 [p10-p90]', value: (f) => f.loadMsMedian, format: (v, d) => `${v.toFixed(1)} [${spreadText(d.loadMs, 1)}]` },
  { label: 'first invoke ms p50 [p10-p90]', value: (f) => f.firstInvokeMsMedian, format: (v, d) => `${v.toFixed(1)} [${spreadText(d.firstInvokeMs, 1)}]` },
  { label: 'cold start ms (load + first)', value: coldStartMs, format: (v) => v.toFixed(1) },
  { label: 'warm p50 us (cached)', value: (f) => f.warmP50Us, format: (v) => v.toFixed(2) },
  { label: 'warm p99 us (cached)', value: (f) => f.warmP99Us, format: (v) => v.toFixed(2) },
  { label: 'uncached p50 us', value: (f) => f.uncachedP50Us, format: (v) => v.toFixed(0) },
  { label: 'throughput /s (concurrency)', value: (f) => f.throughputPerS, format: (v) => Math.round(v).toLocaleString('en-US') },
  { label: 'errors', value: (f) => f.errors, format: (v) => String(v) },
];

/** The results as a table for a terminal: every figure, and beside it its ratio to suspense's. */
export function formatResults(results: BenchResults): string {
  const names = Object.keys(results.contenders) as ContenderName[];
  const suspense = results.contenders.suspense;
  const header = ['', ...names];
  const lines: string[][] = [header];
  for (const row of ROWS) {
    const cells = [row.label];
    for (const name of names) {
      const figures = results.contenders[name]!;
      const details = results.details.contenders[name]!;
      const value = row.value(figures, details);
      const base = suspense ? row.value(suspense, results.details.contenders.suspense!) : NaN;
      const ratio = row.label === 'errors' || name === 'suspense' || !(base > 0) ? '' : ` (${(value / base).toFixed(2)}x)`;
      cells.push(`${row.format(value, details)}${ratio}`);
    }
    lines.push(cells);
  }
  const widths = header.map((_, column) => Math.max(...lines.map((cells) => cells[column]!.length)));
  const table = lines.map((cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));

  const { machine, options } = results;
  const out = [
    `suspense benchmark: ${machine.date}, Node ${machine.node}, ${machine.cpuModel} x ${machine.cores} (${machine.platform}), load average ${machine.loadAverage.join(' ')}`,
    `${options.coldRuns} cold starts each (interleaved), ${options.invocations} warm invocations each, ${options.throughputSeconds} s at concurrency ${options.concurrency}; ratios in () are to suspense`,
    '',
    ...table,
    '',
    `bare GetItem p50 (the library's client, no cache, no parsing): ${results.bareGetItemP50Us.toFixed(0)} us; X-Ray documents received: ${results.details.xrayDocumentsReceived}`,
    floorLine('traced (as deployed)', results.details.coldStartFloor.traced),
    floorLine('untraced (X-Ray off)', results.details.coldStartFloor.untraced),
    ...names.map((name) => `  ${name}: ${results.details.contenders[name]!.description}`),
  ];
  for (const name of names) {
    const stderr = results.details.contenders[name]!.stderr;
    if (stderr) out.push(`  ${name} wrote on stderr: ${stderr.replace(/\n/g, ' | ')}`);
  }
  const checks = targetChecks(results);
  if (checks.length > 0) {
    out.push('', 'targets for suspense:');
    for (const check of checks) out.push(`  ${check.met ? 'met    ' : 'NOT MET'}  ${check.target.padEnd(36)} ${check.figure}`);
  }
  return out.join('\n');
}

function floorLine(label: string, floor: ColdStartSpreads): string {
  return (
    `cold-start floor, one GetItem through the library's client and nothing else, ${label}: ${floor.coldStartMs.median.toFixed(1)} ms ` +
    `(load ${floor.loadMs.median.toFixed(1)} + first ${floor.firstInvokeMs.median.toFixed(1)})`
  );
}

/** results.json: the figures per contender, the bare GetItem, the machine, the options and the spreads. */
export function resultsJson(results: BenchResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}
