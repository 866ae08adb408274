import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { functionArn } from '../sandbox/function-definition';
import { lambdaNode } from '../sandbox/lambda-node';
import { startXrayDaemonStub } from '../sandbox/xray-daemon-stub';
import { startBenchTable } from './bench-table';
import { buildContenders } from './contenders';
import { functionEnvironment } from './function-environment';
import { DEFAULT_OPTIONS, type BenchOptions, type ContenderName } from './options';
import { measureColdStarts, type ColdStart } from './phases/cold-starts';
import { measureCachedWarm, measureUncached } from './phases/warm-invocations';
import { ContenderTally, type ProgressLog, type RunContext } from './run-context';
import { percentile, spreadOf, type Spread } from './stats';

/** The figures of one contender; results.json holds exactly these per contender. */
export interface ContenderFigures {
  readonly zipBytes: number;
  /** Median milliseconds to require the handler module in a fresh process. */
  readonly loadMsMedian: number;
  /** Median milliseconds of the first invocation after that (a DynamoDB read, since nothing is cached). */
  readonly firstInvokeMsMedian: number;
  /** Warm sequential invocations, cached path. */
  readonly warmP50Us: number;
  readonly warmP99Us: number;
  /** Warm sequential invocations with the cache off: one GetItem each. */
  readonly uncachedP50Us: number;
  /** Invocations per second with `concurrency` in flight, in one process. */
  readonly throughputPerS: number;
  /** Wrong answers and failed invocations, in every phase. */
  readonly errors: number;
}

/** Cold starts: milliseconds to load, to serve the first invocation, and both, per run. */
export interface ColdStartSpreads {
  readonly loadMs: Spread;
  readonly firstInvokeMs: Spread;
  readonly coldStartMs: Spread;
}

export interface ContenderDetails extends ColdStartSpreads {
  readonly description: string;
  /** Status codes of the first cold start's answers: the console test event (200), then the suspended switch (503). */
  readonly firstAnswers: readonly (number | undefined)[];
  readonly warmUs: Spread;
  readonly uncachedUs: Spread;
  /** The first lines a contender wrote on stderr, if any (a healthy one writes none). */
  readonly stderr?: string;
}

export interface BenchResults {
  readonly machine: {
    /** The Node.js the functions ran on (see lambdaNode). */
    readonly node: string;
    readonly platform: string;
    readonly cpuModel: string;
    readonly cores: number;
    /** 1, 5 and 15 minute load averages when the run started: anything near `cores` means noisy figures. */
    readonly loadAverage: readonly number[];
    readonly date: string;
  };
  readonly options: Omit<BenchOptions, 'resultsFile'>;
  readonly contenders: Partial<Record<ContenderName, ContenderFigures>>;
  /** p50 of a GetItem alone through the library's client (sharedDynamoClient), traced as in Lambda. */
  readonly bareGetItemP50Us: number;
  readonly details: {
    readonly contenders: Partial<Record<ContenderName, ContenderDetails>>;
    readonly bareGetItemUs: Spread;
    /**
     * The floor under every contender's cold start: the bare GetItem probe (the library's client, one GetItem, no
     * other code) cold-started in the same rounds, traced as in Lambda and with tracing off. No handler that reads
     * DynamoDB through the SDK client and traces it can start faster than `traced`.
     */
    readonly coldStartFloor: { readonly traced: ColdStartSpreads; readonly untraced: ColdStartSpreads };
    /** X-Ray documents the stand-in daemon received: more than 0 shows that tracing ran. */
    readonly xrayDocumentsReceived: number;
  };
}

export type { ProgressLog } from './run-context';

/**
 * Builds the contenders, starts one DynamoDB (dynalite, in its own process) and a stand-in X-Ray daemon, and
 * measures: cold starts interleaved across contenders; then, per contender in a process of its own, the cached
 * warm path and the throughput; then the uncached path and the bare GetItem in alternating rounds. Every child
 * loads only an unpacked package, with the environment Lambda gives the deployed function (tracing active).
 */
export async function runBenchmark(options: BenchOptions = DEFAULT_OPTIONS, log: ProgressLog = () => undefined): Promise<BenchResults> {
  const startedAt = new Date();
  const loadAverage = os.loadavg().map((value) => Math.round(value * 100) / 100);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-bench-'));
  try {
    log(`building ${options.contenders.join(', ')} and the bare GetItem probe in ${workDir}`);
    const built = await buildContenders(workDir, options.contenders);
    const tableName = built.definition.environment.SUSPENSE_TABLE;
    if (!tableName) throw new Error('the synthesized function sets no SUSPENSE_TABLE');
    const table = await startBenchTable(tableName);
    const daemon = await startXrayDaemonStub();
    try {
      const tally = new ContenderTally();
      const { definition } = built;
      const node = lambdaNode(definition.runtime);
      log(`functions run on Node ${node.version}, from ${node.source}`);
      const context: RunContext = {
        log,
        tally,
        node,
        settings: { memorySizeMb: definition.memorySizeMb, timeoutSeconds: definition.timeoutSeconds },
        functionArn: functionArn(definition),
        envFor: (taskRoot, overrides) =>
          functionEnvironment({ definition, taskRoot, xrayDaemonAddress: daemon.address, dynamoEndpoint: table.endpoint, overrides, nodeBinary: node.binary }),
      };

      const cold = await measureColdStarts(context, built, options.coldRuns);
      const warm = await measureCachedWarm(context, built.contenders, options);
      const uncached = await measureUncached(context, built, options);

      const contenders: Partial<Record<ContenderName, ContenderFigures>> = {};
      const details: Partial<Record<ContenderName, ContenderDetails>> = {};
      for (const { name, description, package: pkg } of built.contenders) {
        const coldStarts = cold.byContender.get(name)!;
        const warmRun = warm.get(name)!;
        const uncachedUs = uncached.byContender.get(name)!;
        contenders[name] = {
          zipBytes: pkg.zipBytes,
          loadMsMedian: round3(percentile(coldStarts.map((run) => run.loadMs), 0.5)),
          firstInvokeMsMedian: round3(percentile(coldStarts.map((run) => run.firstInvokeMs), 0.5)),
          warmP50Us: round3(percentile(warmRun.latenciesUs, 0.5)),
          warmP99Us: round3(percentile(warmRun.latenciesUs, 0.99)),
          uncachedP50Us: round3(percentile(uncachedUs, 0.5)),
          throughputPerS: Math.round(warmRun.throughput?.perSecond ?? 0),
          errors: tally.errorsOf(name),
        };
        const stderr = tally.stderrOf(name);
        details[name] = {
          description,
          firstAnswers: coldStarts[0]?.responses.map((response) => response.statusCode) ?? [],
          ...coldStartSpreads(coldStarts),
          warmUs: spreadOf(warmRun.latenciesUs),
          uncachedUs: spreadOf(uncachedUs),
          ...(stderr !== undefined ? { stderr } : {}),
        };
      }
      const { resultsFile: _resultsFile, ...measuredWith } = options;
      return {
        machine: {
          node: node.version,
          platform: `${os.platform()} ${os.arch()}`,
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          cores: os.cpus().length,
          loadAverage,
          date: startedAt.toISOString(),
        },
        options: measuredWith,
        contenders,
        bareGetItemP50Us: round3(percentile(uncached.bare, 0.5)),
        details: {
          contenders: details,
          bareGetItemUs: spreadOf(uncached.bare),
          coldStartFloor: { traced: coldStartSpreads(cold.floor.traced), untraced: coldStartSpreads(cold.floor.untraced) },
          xrayDocumentsReceived: daemon.received,
        },
      };
    } finally {
      await daemon.stop();
      await table.stop();
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function coldStartSpreads(runs: readonly ColdStart[]): ColdStartSpreads {
  return {
    loadMs: spreadOf(runs.map((run) => run.loadMs)),
    firstInvokeMs: spreadOf(runs.map((run) => run.firstInvokeMs)),
    coldStartMs: spreadOf(runs.map((run) => run.loadMs + run.firstInvokeMs)),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
