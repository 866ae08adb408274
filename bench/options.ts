/** The benchmark's contenders, in the order they are run and shown. */
export const CONTENDER_NAMES = ['suspense', 'esbuild-defaults', 'poc-style', 'powertools'] as const;
export type ContenderName = (typeof CONTENDER_NAMES)[number];

/** How much the benchmark measures. Every count has a default that gives figures worth reading. */
export interface BenchOptions {
  /** Cold starts per contender, interleaved across contenders. @default 15 */
  readonly coldRuns: number;
  /** Timed sequential invocations per contender, for the cached and the uncached path alike. @default 2000 */
  readonly invocations: number;
  /**
   * Cached invocations before timing starts, so that the timed ones run code V8 has optimized, as in an execution
   * environment that has served a while. @default 2000
   */
  readonly warmupInvocations: number;
  /** Uncached invocations (one GetItem each) before timing starts, in each uncached process. @default 200 */
  readonly uncachedWarmupInvocations: number;
  /** Seconds of the throughput phase per contender. @default 10 */
  readonly throughputSeconds: number;
  /** Invocations in flight during the throughput phase. @default 32 */
  readonly concurrency: number;
  /**
   * The uncached measurements (each contender with its cache off, and the bare GetItem) are split into this many
   * rounds of short processes run in turn, so that drift of the machine hits all of them alike. @default 3
   */
  readonly uncachedRounds: number;
  /** Contenders to run; `suspense` is always included, as every ratio is taken to it. @default all */
  readonly contenders: readonly ContenderName[];
  /** Where the machine-readable results are written; `undefined` writes none. @default 'bench/results.json' */
  readonly resultsFile?: string;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  coldRuns: 15,
  invocations: 2000,
  warmupInvocations: 2000,
  uncachedWarmupInvocations: 200,
  throughputSeconds: 10,
  concurrency: 32,
  uncachedRounds: 3,
  contenders: CONTENDER_NAMES,
  resultsFile: 'bench/results.json',
};

/** Tiny counts that still build every contender and check every answer: for `npm test` and `--smoke`. */
export const SMOKE_OPTIONS: BenchOptions = {
  coldRuns: 1,
  invocations: 20,
  warmupInvocations: 5,
  uncachedWarmupInvocations: 5,
  throughputSeconds: 0.3,
  concurrency: 4,
  uncachedRounds: 1,
  contenders: CONTENDER_NAMES,
  resultsFile: undefined,
};

export const USAGE = `usage: npm run bench -- [options]

Builds the four contenders (${CONTENDER_NAMES.join(', ')}), runs them against one local DynamoDB and prints
the figures with their ratio to suspense; writes bench/results.json.

options:
  --smoke                 tiny counts: checks that every contender builds and answers (writes no results file
                          unless --out is given)
  --runs <n>              cold starts per contender (default ${DEFAULT_OPTIONS.coldRuns})
  --invocations <n>       timed warm invocations per contender (default ${DEFAULT_OPTIONS.invocations})
  --warmup <n>            untimed cached invocations first (default ${DEFAULT_OPTIONS.warmupInvocations})
  --uncached-warmup <n>   untimed uncached invocations first, per process (default ${DEFAULT_OPTIONS.uncachedWarmupInvocations})
  --seconds <s>           throughput phase length (default ${DEFAULT_OPTIONS.throughputSeconds})
  --concurrency <n>       invocations in flight in the throughput phase (default ${DEFAULT_OPTIONS.concurrency})
  --rounds <n>            rounds the uncached measurements are split into (default ${DEFAULT_OPTIONS.uncachedRounds})
  --only <a,b>            run only these contenders (suspense is always run)
  --out <file>            results file (default ${DEFAULT_OPTIONS.resultsFile})
  --help                  this text`;

const VALUE_FLAGS = ['--runs', '--invocations', '--warmup', '--uncached-warmup', '--seconds', '--concurrency', '--rounds', '--only', '--out'];

/** Bad command-line input: the message says what to fix. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/** Options from `npm run bench -- ...` arguments; throws BenchUsageError on anything it does not understand. */
export function parseBenchArgs(args: readonly string[]): BenchOptions | 'help' {
  let options: BenchOptions = args.includes('--smoke') ? SMOKE_OPTIONS : DEFAULT_OPTIONS;
  for (let index = 0; index < args.length; index++) {
    const flag = args[index]!;
    if (flag === '--smoke') continue;
    if (flag === '--help' || flag === '-h') return 'help';
    if (!VALUE_FLAGS.includes(flag)) throw new BenchUsageError(`unknown option ${JSON.stringify(flag)}\n\n${USAGE}`);
    const value = args[index + 1];
    if (value === undefined || value.startsWith('--')) throw new BenchUsageError(`${flag} needs a value\n\n${USAGE}`);
    index += 1;
    switch (flag) {
      case '--runs':
        options = { ...options, coldRuns: wholeNumber(flag, value, 1) };
        break;
      case '--invocations':
        options = { ...options, invocations: wholeNumber(flag, value, 1) };
        break;
      case '--warmup':
        options = { ...options, warmupInvocations: wholeNumber(flag, value, 0) };
        break;
      case '--uncached-warmup':
        options = { ...options, uncachedWarmupInvocations: wholeNumber(flag, value, 0) };
        break;
      case '--seconds':
        options = { ...options, throughputSeconds: positiveNumber(flag, value) };
        break;
      case '--concurrency':
        options = { ...options, concurrency: wholeNumber(flag, value, 1) };
        break;
      case '--rounds':
        options = { ...options, uncachedRounds: wholeNumber(flag, value, 1) };
        break;
      case '--only':
        options = { ...options, contenders: contenderList(value) };
        break;
      case '--out':
        options = { ...options, resultsFile: value };
        break;
    }
  }
  if (options.uncachedRounds > options.invocations) {
    throw new BenchUsageError(`--rounds (${options.uncachedRounds}) cannot exceed --invocations (${options.invocations})`);
  }
  return options;
}

function wholeNumber(flag: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) throw new BenchUsageError(`${flag} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  return number;
}

function positiveNumber(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new BenchUsageError(`${flag} must be a number above 0, got ${JSON.stringify(value)}`);
  return number;
}

function contenderList(value: string): ContenderName[] {
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(CONTENDER_NAMES as readonly string[]).includes(name)) {
      throw new BenchUsageError(`unknown contender ${JSON.stringify(name)}; choose from ${CONTENDER_NAMES.join(', ')}`);
    }
  }
  // Every ratio is taken to suspense, so it always runs, first.
  return CONTENDER_NAMES.filter((name) => name === 'suspense' || names.includes(name));
}
