import { runChild } from '../child-run';
import { answerProblems, CONSOLE_TEST_EVENT, PROBE_EVENT, SUSPENDED_SWITCH_EVENT, type ProxyResponseLike } from '../check-events';
import type { BuiltContenders } from '../contenders';
import type { ContenderName } from '../options';
import type { RunContext } from '../run-context';

/** One cold start: the module load, the first invocation, and every answer (the first event is the timed one). */
export interface ColdStart {
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
  const coldStart = (handlerModule: string, taskRoot: string, events: readonly unknown[], env: Record<string, string>) =>
    runChild<ColdStart>({ script: 'cold-start.js', handlerModule, input: events, env, cwd: taskRoot, scratchDir: context.scratchDir, timeoutMs: COLD_START_TIMEOUT_MS });

  for (let run = 0; run < runs; run++) {
    context.log(`cold start ${run + 1}/${runs}`);
    for (const contender of built.contenders) {
      const { taskRoot, handlerModule } = contender.package;
      const { result, stderr } = await coldStart(handlerModule, taskRoot, [CONSOLE_TEST_EVENT, SUSPENDED_SWITCH_EVENT], context.envFor(taskRoot, contender.overrides));
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
      const { result } = await coldStart(probe.handlerModule, probe.taskRoot, [PROBE_EVENT], context.envFor(probe.taskRoot, mode === 'traced' ? {} : TRACING_OFF));
      if (result.responses[0]?.statusCode !== 200) throw new Error(`the bare GetItem probe answered ${JSON.stringify(result.responses[0])}`);
      floor[mode].push(result);
    }
  }
  return { byContender, floor };
}
