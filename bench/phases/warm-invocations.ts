import type { BuiltPackage } from '../build/package-dir';
import { CONSOLE_TEST_EVENT, PROBE_EVENT } from '../check-events';
import { CACHE_OFF, type BuiltContenders, type Contender } from '../contenders';
import { withContender } from '../contender-process';
import type { BenchOptions, ContenderName } from '../options';
import type { RunContext } from '../run-context';

/** One contender's warm run, from the runner's loop (see LoopPlan in sandbox/execution-environment.ts). */
export interface WarmRun {
  readonly latenciesUs: readonly number[];
  readonly throughput?: { readonly completed: number; readonly perSecond: number };
  readonly errors: number;
  readonly errorSamples: readonly string[];
}

export interface UncachedRuns {
  readonly byContender: ReadonlyMap<ContenderName, readonly number[]>;
  /** The bare GetItem probe's latencies. */
  readonly bare: readonly number[];
}

/**
 * The cached path: per contender, in a process of its own, `invocations` sequential invocations after a warm-up,
 * then the throughput phase with `concurrency` invocations in flight.
 */
export async function measureCachedWarm(context: RunContext, contenders: readonly Contender[], options: BenchOptions): Promise<Map<ContenderName, WarmRun>> {
  const runs = new Map<ContenderName, WarmRun>();
  for (const contender of contenders) {
    context.log(`warm (cached) ${contender.name}: ${options.invocations} invocations, then ${options.throughputSeconds} s at concurrency ${options.concurrency}`);
    const { result, stderr } = await runWarm(context, contender.package, contender.overrides, {
      event: CONSOLE_TEST_EVENT,
      warmupInvocations: options.warmupInvocations,
      invocations: options.invocations,
      throughputSeconds: options.throughputSeconds,
      concurrency: options.concurrency,
    });
    context.tally.noteStderr(contender.name, stderr);
    context.tally.addErrors(contender.name, result.errors);
    if (result.errors > 0) context.log(`  ${contender.name}: ${result.errors} errors, e.g. ${result.errorSamples[0]}`);
    runs.set(contender.name, result);
  }
  return runs;
}

/**
 * The uncached path: every contender with its cache off, and the bare GetItem probe, `invocations` each, split into
 * `uncachedRounds` rounds of short processes run in turn, so that drift of dynalite or the machine hits them alike.
 */
export async function measureUncached(context: RunContext, built: BuiltContenders, options: BenchOptions): Promise<UncachedRuns> {
  const byContender = new Map<ContenderName, number[]>(built.contenders.map((contender) => [contender.name, []]));
  const bare: number[] = [];
  for (let round = 0; round < options.uncachedRounds; round++) {
    const share = Math.floor(options.invocations / options.uncachedRounds) + (round < options.invocations % options.uncachedRounds ? 1 : 0);
    context.log(`uncached round ${round + 1}/${options.uncachedRounds}: ${share} invocations each`);
    const plan = { warmupInvocations: options.uncachedWarmupInvocations, invocations: share, throughputSeconds: 0, concurrency: 1 };
    const probe = await runWarm(context, built.bareGetItem, CACHE_OFF, { ...plan, event: PROBE_EVENT });
    if (probe.result.errors > 0) throw new Error(`the bare GetItem probe failed: ${probe.result.errorSamples[0]}`);
    bare.push(...probe.result.latenciesUs);
    for (const contender of built.contenders) {
      const { result, stderr } = await runWarm(context, contender.package, { ...contender.overrides, ...CACHE_OFF }, { ...plan, event: CONSOLE_TEST_EVENT });
      context.tally.noteStderr(contender.name, stderr);
      context.tally.addErrors(contender.name, result.errors);
      byContender.get(contender.name)!.push(...result.latenciesUs);
    }
  }
  return { byContender, bare };
}

interface WarmPlan {
  readonly event: unknown;
  readonly warmupInvocations: number;
  readonly invocations: number;
  readonly throughputSeconds: number;
  readonly concurrency: number;
}

/**
 * Sequential invocations after a warm-up, each timed in the contender's process, then (optionally) throughput with
 * many in flight; each with a fresh trace header under X-Ray's default sampling, set outside the timed section.
 */
function runWarm(context: RunContext, pkg: BuiltPackage, overrides: Readonly<Record<string, string>>, plan: WarmPlan) {
  // Generous: a run that takes this long is stuck, not slow.
  const timeoutMs = 120_000 + plan.throughputSeconds * 2000;
  return withContender(context, pkg, overrides, timeoutMs, async (environment): Promise<WarmRun> => {
    const loop = await environment.loop({
      events: [plan.event],
      warmup: plan.warmupInvocations,
      invocations: plan.invocations,
      latencies: true,
      throughputSeconds: plan.throughputSeconds,
      throughputConcurrency: plan.concurrency,
      expectedStatus: 200,
      trace: 'default-sampling',
    });
    return {
      latenciesUs: loop.latenciesUs ?? [],
      ...(loop.throughput ? { throughput: loop.throughput } : {}),
      errors: loop.warmupErrors + loop.errors,
      errorSamples: loop.errorSamples,
    };
  });
}
