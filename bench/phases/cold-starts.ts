import type { BuiltPackage } from '../build/package-dir';
import { answerProblems, CONSOLE_TEST_EVENT, PROBE_EVENT, SUSPENDED_SWITCH_EVENT, type ProxyResponseLike } from '../check-events';
import type { BuiltContenders } from '../contenders';
import { withContender } from '../contender-process';
import type { ContenderName } from '../options';
import type { RunContext } from '../run-context';

/** One cold start: the module load, the first invocation, and every answer (the first event is the timed one). */
export interface ColdStart {
  /** Loading the handler module: Lambda's Init Duration. */
  readonly loadMs: number;
  readonly firstInvokeMs: number;
  readonly responses: readonly ProxyResponseLike[];
}

export interface ColdStarts {
  readonly byContender: ReadonlyMap<ContenderName, readonly ColdStart[]>;
  /** The bare GetItem probe, traced as deployed and with tracing off: the floor under every contender. */
  readonly floor: { readonly traced: readonly ColdStart[]; readonly untraced: readonly ColdStart[] };
}

/** Turns the library's X-Ray tracing off (see functions/switch/tracing.ts isLambdaEnvironment). */
const TRACING_OFF: Readonly<Record<string, string>> = { AWS_XRAY_SDK_ENABLED: 'false' };
const COLD_START_TIMEOUT_MS = 60_000;

/**
 * `runs` cold starts per contender, interleaved A B C D (then the floor probes) A B C D ..., so that drift of the
 * machine hits every contender alike. Each is a fresh Node process loading only the unpacked package. A contender
 * that answers wrongly on its first run stops the benchmark: its figures would mean nothing.
 */
export async function measureColdStarts(context: RunContext, built: BuiltContenders, runs: number): Promise<ColdStarts> {
  const byContender = new Map<ContenderName, ColdStart[]>(built.contenders.map((contender) => [contender.name, []]));
  const floor = { traced: [] as ColdStart[], untraced: [] as ColdStart[] };
  const coldStart = (pkg: BuiltPackage, events: readonly unknown[], overrides: Readonly<Record<string, string>>) =>
    withContender(context, pkg, overrides, COLD_START_TIMEOUT_MS, async (environment) => {
      let loadMs = 0;
      let firstInvokeMs = 0;
      const responses: ProxyResponseLike[] = [];
      for (const [index, event] of events.entries()) {
        // The first request of a new execution environment is sampled, as X-Ray's reservoir takes the first each second.
        const invocation = await environment.invoke({
          payload: JSON.stringify(event),
          invokedFunctionArn: context.functionArn,
          trace: index === 0 ? 'sampled' : 'default-sampling',
        });
        if (invocation.functionError) throw new Error(`${pkg.handlerModule} failed: ${invocation.payload}`);
        if (index === 0) {
          loadMs = invocation.coldStart?.initMs ?? 0;
          firstInvokeMs = invocation.durationMs;
        }
        responses.push(JSON.parse(invocation.payload) as ProxyResponseLike);
      }
      return { loadMs, firstInvokeMs, responses } satisfies ColdStart;
    });

  for (let run = 0; run < runs; run++) {
    context.log(`cold start ${run + 1}/${runs}`);
    for (const contender of built.contenders) {
      const { result, stderr } = await coldStart(contender.package, [CONSOLE_TEST_EVENT, SUSPENDED_SWITCH_EVENT], contender.overrides);
      context.tally.noteStderr(contender.name, stderr);
      const problems = answerProblems(result.responses);
      if (problems.length > 0) {
        if (run === 0) throw new Error(`${contender.name} answers wrongly: ${problems.join('; ')}`);
        context.tally.addErrors(contender.name, problems.length);
      }
      byContender.get(contender.name)!.push(result);
    }
    const probe = built.bareGetItem;
    for (const mode of ['traced', 'untraced'] as const) {
      const { result } = await coldStart(probe, [PROBE_EVENT], mode === 'traced' ? {} : TRACING_OFF);
      if (result.responses[0]?.statusCode !== 200) throw new Error(`the bare GetItem probe answered ${JSON.stringify(result.responses[0])}`);
      floor[mode].push(result);
    }
  }
  return { byContender, floor };
}
