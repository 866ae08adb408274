import { runBenchmark, type BenchResults } from '../../bench/benchmark';
import { BenchUsageError, CONTENDER_NAMES, DEFAULT_OPTIONS, parseBenchArgs, SMOKE_OPTIONS } from '../../bench/options';
import { formatResults, resultsJson } from '../../bench/report';
import { lambdaNode } from '../../sandbox/lambda-node';

const FIGURES = ['zipBytes', 'loadMsMedian', 'firstInvokeMsMedian', 'warmP50Us', 'warmP99Us', 'uncachedP50Us', 'throughputPerS', 'errors'];

/**
 * The benchmark with tiny counts: every contender is built, cold-started, invoked warm and uncached against a real
 * local DynamoDB, and answers as the check function must. Figures from a run this short mean nothing; their
 * presence and the answers do.
 */
describe('benchmark (smoke run)', () => {
  let results: BenchResults;
  beforeAll(async () => {
    results = await runBenchmark(SMOKE_OPTIONS);
    // About 12 s on a quiet machine: it builds four bundles and starts a dozen processes.
  }, 300_000);

  it('builds every contender and each answers 200 for the active switch and 503 for the suspended one', () => {
    expect(Object.keys(results.contenders)).toEqual([...CONTENDER_NAMES]);
    for (const name of CONTENDER_NAMES) {
      expect({ name, answers: results.details.contenders[name]?.firstAnswers }).toEqual({ name, answers: [200, 503] });
      expect({ name, errors: results.contenders[name]?.errors }).toEqual({ name, errors: 0 });
    }
  });

  it('reports every figure for every contender, the bare GetItem, the machine and the cold-start floor', () => {
    for (const name of CONTENDER_NAMES) {
      const figures = results.contenders[name]!;
      expect(Object.keys(figures)).toEqual(FIGURES);
      for (const figure of FIGURES.filter((key) => key !== 'errors')) {
        expect({ name, figure, positive: (figures as unknown as Record<string, number>)[figure]! > 0 }).toEqual({ name, figure, positive: true });
      }
    }
    expect(results.bareGetItemP50Us).toBeGreaterThan(0);
    expect(results.details.coldStartFloor.traced.coldStartMs.median).toBeGreaterThan(0);
    // The Node the contenders ran on: Lambda's (nodejs22.x) when `npm run fetch-node` cached it, else this one.
    expect(results.machine).toEqual(expect.objectContaining({ node: lambdaNode('nodejs22.x').version, cores: expect.any(Number), date: expect.any(String) }));
    // The children ran with tracing active, as the deployed function does.
    expect(results.details.xrayDocumentsReceived).toBeGreaterThan(0);
  });

  it('ships suspense within the size budget', () => {
    expect(results.contenders.suspense!.zipBytes).toBeLessThanOrEqual(150_000);
  });

  it('prints each figure with its ratio to suspense, and writes the same results as JSON', () => {
    const table = formatResults(results);
    for (const name of CONTENDER_NAMES) expect(table).toContain(name);
    expect(table).toMatch(/cold start ms \(load \+ first\)/);
    expect(table).toMatch(/\(\d+\.\d\dx\)/);
    expect(table).toContain('targets for suspense:');
    expect(JSON.parse(resultsJson(results))).toEqual(JSON.parse(JSON.stringify(results)));
  });
});

describe('benchmark options', () => {
  it('defaults to at least 15 cold starts, 2,000 warm invocations and 10 s at concurrency 32', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toEqual(expect.objectContaining({ coldRuns: 15, invocations: 2000, throughputSeconds: 10, concurrency: 32 }));
  });

  it('takes --smoke and explicit counts, and always keeps suspense first', () => {
    expect(parseBenchArgs(['--smoke'])).toEqual(SMOKE_OPTIONS);
    expect(parseBenchArgs(['--runs', '3', '--only', 'powertools,poc-style', '--seconds', '0.5'])).toEqual({
      ...DEFAULT_OPTIONS,
      coldRuns: 3,
      throughputSeconds: 0.5,
      contenders: ['suspense', 'poc-style', 'powertools'],
    });
    expect(parseBenchArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--runs', '0'], '--runs must be a whole number of at least 1, got "0"'],
    [['--seconds', 'ten'], '--seconds must be a number above 0, got "ten"'],
    [['--only', 'lambda-powertools'], 'unknown contender "lambda-powertools"'],
    [['--runs'], '--runs needs a value'],
    [['--fast'], 'unknown option "--fast"'],
  ])('rejects %j with a clear message', (args, message) => {
    expect(() => parseBenchArgs(args)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(args)).toThrow(message);
  });
});
