import { DEFAULT_SWITCH_NAME, ENV } from '../functions/switch/schema';
import { tripsFromEnvironment } from '../functions/trip/trip-config';
import { cliEnvironment } from './connection-variables';
import { alarmStateChangeEvent, CONSOLE_TEST_EVENT, restApiProxyEvent } from './events';
import { formatBytes, formatMs, indent } from './format';
import type { TracedInvocation } from './local-function';
import { startSandbox, type Sandbox } from './sandbox';
import { runSuspenseCli, shellCommand } from './suspense-cli';
import { segmentNames } from './xray-daemon-stub';

/** The walkthrough's cache TTL: the stack's 5 s would make the story wait 10 s for nothing. */
const WALKTHROUGH_CACHE_TTL_SECONDS = 1;
/** Waited beyond the TTL, so that the entry read just before the CLI's write has certainly expired. */
const TTL_MARGIN_MS = 100;
/** Longest the story waits for an invocation's X-Ray segments to arrive. */
const TRACE_WAIT_MS = 500;
const SUSPEND_REASON = 'sandbox walkthrough: planned maintenance';
const SUSPEND_FOR = '5m';
const SUSPEND_FOR_SECONDS = 300;

type Write = (text: string) => void;

interface LatencyRow {
  readonly label: string;
  readonly cold: TracedInvocation;
  readonly warm: TracedInvocation;
}

/** An expectation that was not met, with what was seen instead. */
interface Failure {
  readonly expectation: string;
  readonly detail: string;
}

/**
 * `npm start`: the proof of concept's live test, on this machine. Starts the sandbox, walks through the story
 * (console test event, suspend with the real CLI, another switch through a REST API event, resume), checks every
 * answer, prints cold and warm latencies, and stops everything. Resolves to the process exit code.
 */
export async function runWalkthrough(write: Write, registerStop: (stop: () => Promise<void>) => void): Promise<number> {
  const startedAt = performance.now();
  const failures: Failure[] = [];
  const rows: LatencyRow[] = [];
  let starting: Promise<Sandbox> | undefined;
  // Interrupted while starting, the sandbox is stopped once it has started: nothing it started may be left behind.
  const stopSandbox = async () => (await starting?.catch(() => undefined))?.stop();
  registerStop(stopSandbox);

  try {
    write('suspense sandbox: the check function as deployed, on this machine, without AWS\n\n');
    write('[1/7] starting the sandbox\n');
    starting = startSandbox({
      cacheTtlSeconds: WALKTHROUGH_CACHE_TTL_SECONDS,
      progress: (line) => write(`      ${line}\n`),
    });
    const sandbox = await starting;
    describeSandbox(sandbox, write);
    const { fn, definition } = sandbox;
    const ttlWaitMs = sandbox.cacheTtlSeconds * 1000 + TTL_MARGIN_MS;
    const ttlNote = `${ENV.cacheTtlSeconds}=${sandbox.cacheTtlSeconds}; the stack sets ${definition.environment[ENV.cacheTtlSeconds]}`;
    const cli = (args: string[]) => runSuspenseCli(args, cliEnvironment(sandbox));
    const consoleEvent = JSON.stringify(CONSOLE_TEST_EVENT);

    const check = (invocation: TracedInvocation, which: string, expectStatus: number, expectBody: Record<string, unknown>, extra?: (response: ProxyResult) => string | undefined) => {
      const response = proxyResult(invocation);
      const problems: string[] = [];
      if (invocation.functionError) problems.push(`function error: ${invocation.payload}`);
      else if (!response) problems.push(`not an API Gateway proxy response: ${invocation.payload}`);
      else {
        if (response.statusCode !== expectStatus) problems.push(`status ${response.statusCode}, expected ${expectStatus}`);
        for (const [key, value] of Object.entries(expectBody)) {
          if (response.body?.[key] !== value) problems.push(`body.${key} is ${JSON.stringify(response.body?.[key])}, expected ${JSON.stringify(value)}`);
        }
        const more = extra?.(response);
        if (more) problems.push(more);
      }
      if (invocation.foreignModules.length > 0) problems.push(`loaded modules from outside its package: ${invocation.foreignModules.join(', ')}`);
      const mark = problems.length === 0 ? 'ok  ' : 'FAIL';
      const retryAfter = response?.headers['retry-after'];
      write(
        `      ${mark} ${which.padEnd(4)} ${response?.statusCode ?? '---'}` +
          `${retryAfter ? ` Retry-After: ${retryAfter}` : ''} ${response?.rawBody ?? invocation.payload}  ${latency(invocation)}\n`,
      );
      for (const line of invocation.log.split('\n').filter(Boolean)) write(`           log  ${line}\n`);
      for (const problem of problems) failures.push({ expectation: `${which} invocation`, detail: problem });
      return response;
    };
    const traces = async (...invocations: TracedInvocation[]) => {
      // Segments travel by UDP and may still be on their way: wait (boundedly) until each trace has some.
      const deadline = performance.now() + TRACE_WAIT_MS;
      const arrived = () => invocations.every((invocation) => !invocation.traceRoot || sandbox.xray.documentsFor(invocation.traceRoot).length > 0);
      while (!arrived() && performance.now() < deadline) await sleep(10);
      for (const invocation of invocations) {
        if (!invocation.traceRoot) continue;
        const names = segmentNames(sandbox.xray.documentsFor(invocation.traceRoot));
        write(`           x-ray ${invocation.cold ? 'cold' : 'warm'}: ${names.length > 0 ? names.join(', ') : '(no segments)'}\n`);
      }
    };

    write(`\n[2/7] Lambda console test event ${consoleEvent} -> expect 200 for switch "global"\n`);
    const firstCold = await fn.invoke({ payload: consoleEvent });
    const firstWarm = await fn.invoke({ payload: consoleEvent });
    check(firstCold, 'cold', 200, { switch: 'global', suspended: false });
    check(firstWarm, 'warm', 200, { switch: 'global', suspended: false });
    await traces(firstCold, firstWarm);
    rows.push({ label: 'console test event, active', cold: firstCold, warm: firstWarm });

    const suspendArgs = ['suspend', 'global', '--reason', SUSPEND_REASON, '--until', SUSPEND_FOR];
    write(`\n[3/7] the real CLI suspends "global" for ${SUSPEND_FOR} -> expect 503 with Retry-After\n`);
    if (!(await runCli(cli, suspendArgs, write, failures))) throw new StoryAbort('the CLI could not suspend the switch');
    write(`      waiting ${formatMs(ttlWaitMs)} for the function's cache TTL (${ttlNote})\n`);
    await sleep(ttlWaitMs);
    const suspendedWarm = await fn.invoke({ payload: consoleEvent });
    const suspendedCold = await fn.invokeCold({ payload: consoleEvent });
    const expectRetryAfter = (response: ProxyResult) => {
      const value = Number(response.headers['retry-after']);
      if (!Number.isInteger(value) || value < SUSPEND_FOR_SECONDS - 60 || value > SUSPEND_FOR_SECONDS) {
        return `Retry-After is ${JSON.stringify(response.headers['retry-after'])}, expected about ${SUSPEND_FOR_SECONDS} seconds`;
      }
      return undefined;
    };
    check(suspendedWarm, 'warm', 503, { switch: 'global', suspended: true, reason: SUSPEND_REASON }, expectRetryAfter);
    check(suspendedCold, 'cold', 503, { switch: 'global', suspended: true, reason: SUSPEND_REASON }, expectRetryAfter);
    await traces(suspendedWarm, suspendedCold);
    rows.push({ label: 'console test event, suspended', cold: suspendedCold, warm: suspendedWarm });

    const restEvent = restApiProxyEvent({
      method: 'GET',
      resource: '/switches/{switch}',
      path: '/switches/payments',
      pathParameters: { switch: 'payments' },
      accountId: definition.accountId,
      region: definition.region,
    });
    write('\n[4/7] REST API (v1 proxy) event GET /switches/{switch} for "payments" -> expect 200: other switches are unaffected\n');
    const paymentsWarm = await fn.invoke({ payload: JSON.stringify(restEvent) });
    const paymentsCold = await fn.invokeCold({ payload: JSON.stringify(restEvent) });
    check(paymentsWarm, 'warm', 200, { switch: 'payments', suspended: false });
    check(paymentsCold, 'cold', 200, { switch: 'payments', suspended: false });
    await traces(paymentsWarm, paymentsCold);
    rows.push({ label: 'REST API event, payments', cold: paymentsCold, warm: paymentsWarm });

    write('\n[5/7] the real CLI resumes "global" -> expect 200 again once the cache TTL has passed\n');
    if (!(await runCli(cli, ['resume', 'global'], write, failures))) throw new StoryAbort('the CLI could not resume the switch');
    write(`      waiting ${formatMs(ttlWaitMs)} for the function's cache TTL (${ttlNote})\n`);
    await sleep(ttlWaitMs);
    const resumedWarm = await fn.invoke({ payload: consoleEvent });
    const resumedCold = await fn.invokeCold({ payload: consoleEvent });
    check(resumedWarm, 'warm', 200, { switch: 'global', suspended: false });
    check(resumedCold, 'cold', 200, { switch: 'global', suspended: false });
    await traces(resumedWarm, resumedCold);
    rows.push({ label: 'console test event, resumed', cold: resumedCold, warm: resumedWarm });

    if (sandbox.trip) {
      const tripRow = await tripStep(sandbox, sandbox.trip, { check, cli, write, failures, consoleEvent, ttlWaitMs });
      if (tripRow) rows.push(tripRow);
    } else write('\n[6/7] (the stack declares no trips: nothing to show)\n');

    write('\n[7/7] latencies (cold: new execution environment = process start + init + first invoke; warm: invoke on a used one)\n');
    writeLatencyTable(rows, write);
  } catch (error) {
    if (!(error instanceof StoryAbort)) failures.push({ expectation: 'the walkthrough runs to the end', detail: error instanceof Error ? error.message : String(error) });
    else failures.push({ expectation: 'the walkthrough runs to the end', detail: error.message });
  } finally {
    await stopSandbox();
  }

  const elapsed = formatMs(performance.now() - startedAt);
  if (failures.length === 0) {
    write(`\nOK: every expectation met in ${elapsed}; DynamoDB, execution environments and temporary files are gone.\n`);
    return 0;
  }
  write(`\nFAILED after ${elapsed}: ${failures.length} expectation(s) not met\n`);
  for (const failure of failures) write(`  - ${failure.expectation}: ${failure.detail}\n`);
  return 1;
}

class StoryAbort extends Error {}

type CheckAnswer = (invocation: TracedInvocation, which: string, expectStatus: number, expectBody: Record<string, unknown>, extra?: (response: ProxyResult) => string | undefined) => ProxyResult | undefined;

interface TripStepTools {
  readonly check: CheckAnswer;
  readonly cli: (args: string[]) => ReturnType<typeof runSuspenseCli>;
  readonly write: Write;
  readonly failures: Failure[];
  readonly consoleEvent: string;
  readonly ttlWaitMs: number;
}

/**
 * A CloudWatch alarm trips the default switch: its state-change event, in the shape EventBridge delivers, goes to
 * the trip function; the check then answers 503 and `suspense history` says which alarm did it. With resumeOnOk,
 * the OK event resumes it. Measures the end-to-end latency from the event to the check's 503.
 */
async function tripStep(sandbox: Sandbox, trip: NonNullable<Sandbox['trip']>, tools: TripStepTools): Promise<LatencyRow | undefined> {
  const { check, cli, write, failures, consoleEvent, ttlWaitMs } = tools;
  const config = tripsFromEnvironment(trip.definition.environment).find((candidate) => candidate.switch === DEFAULT_SWITCH_NAME);
  if (!config) {
    write(`\n[6/7] (no trip on "${DEFAULT_SWITCH_NAME}": nothing to show)\n`);
    return undefined;
  }
  const alarmName = config.alarmNames[0] as string;
  const { accountId, region, partition } = trip.definition;
  const event = (state: 'ALARM' | 'OK') => JSON.stringify(alarmStateChangeEvent({ alarmName, accountId, region, partition, state }));
  const alarmArn = `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${alarmName}`;
  write(
    `\n[6/7] CloudWatch alarm "${alarmName}" enters ALARM: its "CloudWatch Alarm State Change" event, as EventBridge delivers it, goes to ` +
      `${trip.definition.functionName} -> expect 503 for "${config.switch}", and \`suspense history\` names the alarm\n`,
  );
  const startedAt = performance.now();
  const tripped = await trip.fn.invoke({ payload: event('ALARM') });
  expectTripWrite(tripped, 'cold', true, write, failures);
  const suspended = await pollCheck(sandbox, consoleEvent, 503, ttlWaitMs);
  const endToEndMs = performance.now() - startedAt;
  check(suspended, 'warm', 503, { switch: config.switch, suspended: true }, (response) =>
    String(response.body?.reason).startsWith(`alarm ${alarmName}: `) ? undefined : `reason is ${JSON.stringify(response.body?.reason)}, expected the alarm's`,
  );
  write(
    `      end to end: event handed to the trip function -> the warm check answers 503 in ${formatMs(endToEndMs)} ` +
      `(the trip's invocation ${formatMs(tripInvocationMs(tripped))}, then the check's cache TTL of ${sandbox.cacheTtlSeconds} s)\n`,
  );
  const history = await cli(['history', config.switch, '--limit', '3']);
  write(`      $ ${shellCommand(['history', config.switch, '--limit', '3'])}\n${indent(`${history.stdout}${history.stderr}`.trimEnd(), '        ')}\n`);
  if (history.exitCode !== 0 || !history.stdout.includes(`alarm:${alarmArn.slice(0, 30)}`)) {
    failures.push({ expectation: '`suspense history` names the alarm', detail: `exit ${history.exitCode}: ${history.stdout}${history.stderr}` });
  }
  if (!config.resumeOnOk) return { label: 'trip function, ALARM', cold: tripped, warm: tripped };

  write(`      the alarm returns to OK (resumeOnOk) -> expect 200 again\n`);
  const resumed = await trip.fn.invoke({ payload: event('OK') });
  expectTripWrite(resumed, 'warm', true, write, failures);
  check(await pollCheck(sandbox, consoleEvent, 200, ttlWaitMs), 'warm', 200, { switch: config.switch, suspended: false });
  return { label: 'trip function, ALARM then OK', cold: tripped, warm: resumed };
}

/** Invokes the warm check until it answers `status`, for at most the cache TTL and a margin. */
async function pollCheck(sandbox: Sandbox, payload: string, status: number, ttlWaitMs: number): Promise<TracedInvocation> {
  const deadline = performance.now() + ttlWaitMs + 2000;
  for (;;) {
    const invocation = await sandbox.fn.invoke({ payload });
    if (proxyResult(invocation)?.statusCode === status || performance.now() > deadline) return invocation;
    await sleep(20);
  }
}

function expectTripWrite(invocation: TracedInvocation, which: string, written: boolean, write: Write, failures: Failure[]): void {
  let result: { switches?: Array<{ written?: boolean }> } | undefined;
  try {
    result = JSON.parse(invocation.payload) as typeof result;
  } catch {
    result = undefined;
  }
  const ok = !invocation.functionError && result?.switches?.[0]?.written === written;
  write(`      ${ok ? 'ok  ' : 'FAIL'} ${which.padEnd(4)} trip ${invocation.payload}  ${latency(invocation)}\n`);
  for (const line of invocation.log.split('\n').filter(Boolean)) write(`           log  ${line}\n`);
  if (!ok) failures.push({ expectation: `${which} trip invocation writes the switch`, detail: invocation.payload });
}

function tripInvocationMs(invocation: TracedInvocation): number {
  const cold = invocation.coldStart;
  return (cold ? cold.processStartMs + cold.initMs : 0) + invocation.roundTripMs;
}

function describeSandbox(sandbox: Sandbox, write: Write): void {
  const { definition } = sandbox;
  write(`      synthesized in ${formatMs(sandbox.synthMs)}: stack ${definition.stackName}, function ${definition.functionName}\n`);
  write(
    `      ${definition.runtime} ${definition.architecture}, ${definition.memorySizeMb} MB, timeout ${definition.timeoutSeconds} s, ` +
      `handler ${definition.handler}, ${definition.logFormat} logs (application ${definition.applicationLogLevel}, system ${definition.systemLogLevel}), ` +
      `tracing ${definition.tracingMode}\n`,
  );
  const unpacked = sandbox.packageFiles.reduce((sum, file) => sum + file.bytes, 0);
  write(
    `      package ${formatBytes(sandbox.packageBytes)} zipped, ${formatBytes(unpacked)} in ${sandbox.packageFiles.length} file(s) ` +
      `(${sandbox.packageFiles.map((file) => file.name).join(', ')}), unpacked alone into ${sandbox.taskRoot}\n`,
  );
  write(`      DynamoDB (dynalite, in-process) at ${sandbox.dynamo.endpoint}, table ${sandbox.tableName} created from functions/switch/schema.ts\n`);
  write('      environment from the stack:\n');
  for (const [name, value] of Object.entries(definition.environment)) write(`        ${name}=${value}\n`);
  write('      set differently from Lambda:\n');
  for (const override of sandbox.overrides) write(`        ${override.name}=${override.value}  (${override.reason})\n`);
  write(
    `      each execution environment is a separate Node ${sandbox.node.version} process (${sandbox.node.source}; Lambda: ${definition.runtime}) running ` +
      `sandbox/runtime/bootstrap.js; X-Ray segments go to a local stub daemon at ${sandbox.xray.address}\n`,
  );
}

async function runCli(cli: (args: string[]) => ReturnType<typeof runSuspenseCli>, args: string[], write: Write, failures: Failure[]): Promise<boolean> {
  write(`      $ ${shellCommand(args)}\n`);
  const run = await cli(args);
  const output = `${run.stdout}${run.stderr}`.trimEnd();
  if (output) write(`${indent(output, '        ')}\n`);
  write(`      (exit ${run.exitCode}, ${formatMs(run.durationMs)})\n`);
  if (run.exitCode !== 0) {
    failures.push({ expectation: `\`${shellCommand(args)}\` exits 0`, detail: `exit ${run.exitCode}: ${output.split('\n').pop() ?? ''}` });
    return false;
  }
  return true;
}

/** An API Gateway proxy response, as the check function answers. */
interface ProxyResult {
  readonly statusCode: number;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  readonly rawBody: string;
  readonly body?: Record<string, unknown>;
}

function proxyResult(invocation: TracedInvocation): ProxyResult | undefined {
  if (invocation.functionError) return undefined;
  try {
    const result = JSON.parse(invocation.payload) as { statusCode?: unknown; headers?: Record<string, unknown>; body?: unknown };
    if (typeof result.statusCode !== 'number') return undefined;
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    const rawBody = typeof result.body === 'string' ? result.body : '';
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    return { statusCode: result.statusCode, headers, rawBody, ...(body ? { body } : {}) };
  } catch {
    return undefined;
  }
}

function latency(invocation: TracedInvocation): string {
  const cold = invocation.coldStart;
  if (!cold) return formatMs(invocation.roundTripMs);
  const total = cold.processStartMs + cold.initMs + invocation.roundTripMs;
  return `${formatMs(total)} = start ${formatMs(cold.processStartMs)} + init ${formatMs(cold.initMs)} + invoke ${formatMs(invocation.roundTripMs)}`;
}

function writeLatencyTable(rows: readonly LatencyRow[], write: Write): void {
  const header = ['invocation', 'cold total', 'start', 'init', 'invoke', 'warm'];
  const lines = rows.map((row) => {
    const cold = row.cold.coldStart;
    const total = cold ? cold.processStartMs + cold.initMs + row.cold.roundTripMs : row.cold.roundTripMs;
    return [row.label, formatMs(total), formatMs(cold?.processStartMs ?? 0), formatMs(cold?.initMs ?? 0), formatMs(row.cold.roundTripMs), formatMs(row.warm.roundTripMs)];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] as string).length)));
  const format = (cells: string[]) => `      ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join('  ')}\n`;
  write(format(header));
  for (const line of lines) write(format(line));
  write('      (invoke and warm: from handing the event to the runtime client to receiving its answer, DynamoDB reads included)\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
