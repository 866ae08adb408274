'use strict';
// The project's one stand-in for Lambda's Node.js runtime client (the sandbox, the benchmark and the tests all
// run functions through it): one execution environment per process. Plain JavaScript run by `node` (no TypeScript
// hook, no project code, only Node built-ins), so that the only code this process loads besides Node is the
// unpacked bundle in LAMBDA_TASK_ROOT, as in Lambda. (Tests that run a handler from source preload a TypeScript
// hook; then a `.ts` handler module loads too.)
//
// The parent (sandbox/execution-environment.ts) forks it with the environment Lambda would set and talks over the
// IPC channel instead of the Runtime API:
//   parent -> { type: 'invoke', requestId, payload, deadlineMs, trace?, invokedFunctionArn, clientContext? }
//           | { type: 'loop', plan }
//   child  -> { type: 'ready', bootMs, initMs, foreignModules, nodeVersion } | { type: 'init-error', error }
//           | { type: 'log', text, stream } | { type: 'result', requestId, payload?, error?, durationMs, maxMemoryUsedMb, foreignModules, traceHeader? }
//           | { type: 'loop-result', ... }
// `trace` is a trace header to use as is, 'sampled' (a new sampled trace), or 'default-sampling' (X-Ray's default
// rule decides). Everything the function writes (console.*, process.stdout/stderr) reaches the parent as 'log'
// messages as it happens, so that a function killed for its timeout still leaves its log behind, as in CloudWatch.
// A 'loop' runs many invocations inside this process (see runLoop) for figures that IPC would distort.

const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const bootMs = performance.now();
const env = process.env;
const TASK_ROOT = env.LAMBDA_TASK_ROOT;
const HANDLER = env._HANDLER;
const JSON_LOGS = env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
// Lambda filters console output by level only in the JSON log format.
const MIN_LEVEL = JSON_LOGS ? Math.max(0, LEVELS.indexOf(env.AWS_LAMBDA_LOG_LEVEL || 'INFO')) : 0;

let currentRequestId;
let busy = false;
/** While a loop runs, log lines are counted here instead of being sent (see runLoop). */
let countedLogLines;

function send(message) {
  if (process.connected) process.send(message);
}

// --- log capture -------------------------------------------------------------------------------------------

function capture(stream, name) {
  stream.write = function write(chunk, encoding, callback) {
    const done = typeof encoding === 'function' ? encoding : callback;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    // In a loop the function's own lines are counted; what goes to stderr (a warning) is always sent.
    if (countedLogLines !== undefined && name === 'stdout') countedLogLines += text.split('\n').length - 1;
    else send({ type: 'log', text, stream: name });
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
}
capture(process.stdout, 'stdout');
capture(process.stderr, 'stderr');

/** One console call as Lambda's Node.js runtime writes it in the function's log format. */
function logLine(level, args) {
  if (LEVELS.indexOf(level) < MIN_LEVEL) return;
  const timestamp = new Date().toISOString();
  if (!JSON_LOGS) {
    process.stdout.write(`${timestamp}\t${currentRequestId ?? 'undefined'}\t${level}\t${util.format(...args)}\n`);
    return;
  }
  const fields =
    args.length === 1 && args[0] instanceof Error
      ? { message: args[0].message, errorType: args[0].name, errorMessage: args[0].message, stackTrace: stackLines(args[0]) }
      : { message: util.format(...args) };
  writeRecord(timestamp, level, fields);
}

function writeRecord(timestamp, level, fields) {
  process.stdout.write(`${safeJson({ timestamp, level, ...(currentRequestId ? { requestId: currentRequestId } : {}), ...fields })}\n`);
}
console.trace = (...args) => logLine('TRACE', args);
console.debug = (...args) => logLine('DEBUG', args);
console.log = (...args) => logLine('INFO', args);
console.info = (...args) => logLine('INFO', args);
console.warn = (...args) => logLine('WARN', args);
console.error = (...args) => logLine('ERROR', args);

// --- errors as the runtime reports them ----------------------------------------------------------------------

function stackLines(error) {
  return typeof error.stack === 'string' ? error.stack.split('\n') : [];
}

/** The Invoke API's error payload for a thrown value. */
function errorPayload(error, errorType) {
  if (error instanceof Error) {
    return { errorType: errorType ?? error.name, errorMessage: error.message, trace: stackLines(error) };
  }
  return { errorType: errorType ?? typeof error, errorMessage: String(error), trace: [] };
}

function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ message: util.inspect(value) });
  }
}

/** The line the runtime logs for an error that fails an invocation (or the init). */
function logInvokeError(payload) {
  if (LEVELS.indexOf('ERROR') < MIN_LEVEL) return;
  const timestamp = new Date().toISOString();
  if (JSON_LOGS) {
    writeRecord(timestamp, 'ERROR', { message: 'Invoke Error', errorType: payload.errorType, errorMessage: payload.errorMessage, stackTrace: payload.trace });
  } else {
    process.stdout.write(`${timestamp}\t${currentRequestId ?? 'undefined'}\tERROR\tInvoke Error \t${safeJson(payload)}\n`);
  }
}

// --- modules -------------------------------------------------------------------------------------------------

/**
 * Modules loaded from anywhere but the task root: in Lambda they would not exist (or would be the runtime's
 * own copies), so the sandbox reports them rather than let the bundle lean on this machine's node_modules.
 */
function foreignModules() {
  const root = path.resolve(TASK_ROOT) + path.sep;
  return Object.keys(require.cache).filter((file) => file !== __filename && !file.startsWith(root));
}

async function loadHandler() {
  const match = /^([^.]*)\.(.*)$/.exec(HANDLER || '');
  if (!match) throw tagged(new Error(`Bad handler ${HANDLER}`), 'Runtime.MalformedHandlerName');
  const [, moduleName, functionPath] = match;
  const base = path.resolve(TASK_ROOT, moduleName);
  // A `.ts` module only when a TypeScript hook was preloaded: tests running a handler from source.
  const extensions = require.extensions['.ts'] ? ['.js', '.mjs', '.cjs', '.ts'] : ['.js', '.mjs', '.cjs'];
  const file = extensions.map((extension) => base + extension).find((candidate) => fs.existsSync(candidate));
  if (!file) throw tagged(new Error(`Error: Cannot find module '${moduleName}'`), 'Runtime.ImportModuleError');
  let loaded;
  if (file.endsWith('.mjs')) {
    loaded = await import(pathToFileURL(file).href);
  } else {
    try {
      loaded = require(file);
    } catch (error) {
      if (error && error.code === 'ERR_REQUIRE_ESM') loaded = await import(pathToFileURL(file).href);
      else throw error;
    }
  }
  const handler = functionPath.split('.').reduce((object, key) => (object == null ? undefined : object[key]), loaded);
  if (handler === undefined) throw tagged(new Error(`${HANDLER} is undefined or not exported`), 'Runtime.HandlerNotFound');
  if (typeof handler !== 'function') throw tagged(new Error(`${HANDLER} is not a function`), 'Runtime.HandlerNotFound');
  return handler;
}

function tagged(error, errorType) {
  error.errorType = errorType;
  return error;
}

// --- trace headers -------------------------------------------------------------------------------------------

const DEFAULT_SAMPLING_RATE = 0.05;
let reservoirSecond = -1;

/**
 * Sets `_X_AMZN_TRACE_ID` as the runtime does before each invocation (X-Ray's SDK reads it there) and returns it.
 * `trace`: a header to use as is; 'sampled'; or 'default-sampling', X-Ray's default rule: the first request in each
 * second, then 5% of the others. Anything else: no header, as without active tracing.
 */
function setTraceHeader(trace) {
  let header;
  if (typeof trace === 'string' && trace.startsWith('Root=')) {
    header = trace;
  } else if (trace === 'sampled' || trace === 'default-sampling') {
    const seconds = Math.floor(Date.now() / 1000);
    let sampled = true;
    if (trace === 'default-sampling') {
      sampled = seconds !== reservoirSecond || Math.random() < DEFAULT_SAMPLING_RATE;
      reservoirSecond = seconds;
    }
    header = `Root=1-${seconds.toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=${sampled ? 1 : 0}`;
  }
  if (header) env._X_AMZN_TRACE_ID = header;
  else delete env._X_AMZN_TRACE_ID;
  return header;
}

// --- invocations ---------------------------------------------------------------------------------------------

function contextFor(message) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: message.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
}

/** Calls the handler as the runtime does: a returned promise, or the callback for handlers that take one. */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((result) => callback(null, result), (error) => callback(error === undefined || error === null ? new Error(String(error)) : error));
    } else if (handler.length < 3) {
      callback(null, returned);
    }
  });
}

function maxMemoryUsedMb() {
  // Peak resident set size of the process so far, as Lambda's "Max Memory Used" is the environment's peak.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function invoke(handler, message) {
  busy = true;
  currentRequestId = message.requestId;
  const traceHeader = setTraceHeader(message.trace);
  const startedAt = performance.now();
  let result;
  try {
    const event = message.payload === '' ? {} : JSON.parse(message.payload);
    const value = await callHandler(handler, event, contextFor(message));
    const payload = JSON.stringify(value === undefined ? null : value);
    result = { payload };
  } catch (error) {
    const payload = errorPayload(error);
    logInvokeError(payload);
    result = { error: payload };
  }
  send({
    type: 'result',
    requestId: message.requestId,
    ...result,
    durationMs: performance.now() - startedAt,
    maxMemoryUsedMb: maxMemoryUsedMb(),
    foreignModules: foreignModules(),
    ...(traceHeader ? { traceHeader } : {}),
  });
  currentRequestId = undefined;
  busy = false;
}

// --- loops ---------------------------------------------------------------------------------------------------

/**
 * Many invocations inside this process, for the benchmark's latencies and throughput and the tests' heap
 * figures: a message per invocation would measure the IPC channel, not the function. Log lines are counted, not
 * sent: in Lambda the runtime takes them away. Each invocation gets its trace header and context outside the timed
 * section, as the runtime prepares them between invocations. The plan (all optional but `events`):
 *   events           cycled through, one per invocation
 *   warmup           invocations before anything is measured
 *   rounds, invocations, concurrency
 *                    `rounds` rounds of `invocations`, `concurrency` in flight (default 1 round, 1 at a time)
 *   latencies        record each invocation's time, in microseconds (meaningful at concurrency 1)
 *   heap             heapUsed after garbage collection, after the warm-up and after each round
 *   throughputSeconds, throughputConcurrency
 *                    then invocations completed in that time with that many in flight
 *   expectedStatus   an answer with another statusCode counts as an error
 *   trace            as for 'invoke' ('sampled', 'default-sampling', or none)
 */
async function runLoop(handler, plan) {
  busy = true;
  countedLogLines = 0;
  const timeoutMs = Number(plan.timeoutMs ?? 3000);
  let index = 0;
  const statuses = {};
  let errors = 0;
  const errorSamples = [];
  const failed = (sample) => {
    errors += 1;
    if (errorSamples.length < 3) errorSamples.push(sample.slice(0, 300));
  };
  const invokeOnce = async () => {
    const i = index++;
    setTraceHeader(plan.trace);
    currentRequestId = `loop-${i}`;
    const context = contextFor({ requestId: currentRequestId, deadlineMs: Date.now() + timeoutMs, invokedFunctionArn: plan.invokedFunctionArn });
    const event = plan.events[i % plan.events.length];
    const startedAt = process.hrtime.bigint();
    try {
      const response = await callHandler(handler, event, context);
      const status = response && response.statusCode;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (plan.expectedStatus !== undefined && status !== plan.expectedStatus) failed(safeJson(response) ?? String(response));
    } catch (error) {
      failed(String(error && error.stack));
    }
    return Number(process.hrtime.bigint() - startedAt) / 1e3;
  };
  const many = async (count, concurrency, latencies) => {
    let started = 0;
    const worker = async () => {
      while (started < count) {
        const slot = started++;
        const us = await invokeOnce();
        if (latencies) latencies[slot] = us;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  };
  const concurrency = plan.concurrency ?? 1;
  await many(plan.warmup ?? 0, concurrency);
  const warmupErrors = errors;
  const warmupStatuses = { ...statuses };
  for (const key of Object.keys(statuses)) delete statuses[key];
  const heapUsed = plan.heap ? [await settledHeap()] : undefined;
  const latenciesUs = [];
  for (let round = 0; round < (plan.rounds ?? 1); round++) {
    const latencies = plan.latencies ? new Float64Array(plan.invocations ?? 0) : undefined;
    await many(plan.invocations ?? 0, concurrency, latencies);
    if (latencies) latenciesUs.push(...latencies);
    if (heapUsed) heapUsed.push(await settledHeap());
  }
  let throughput;
  if (plan.throughputSeconds > 0) {
    const deadline = process.hrtime.bigint() + BigInt(Math.round(plan.throughputSeconds * 1e9));
    let completed = 0;
    const worker = async () => {
      while (process.hrtime.bigint() < deadline) {
        await invokeOnce();
        completed += 1;
      }
    };
    const startedAt = process.hrtime.bigint();
    await Promise.all(Array.from({ length: plan.throughputConcurrency ?? 1 }, worker));
    throughput = { completed, perSecond: completed / (Number(process.hrtime.bigint() - startedAt) / 1e9) };
  }
  const logLines = countedLogLines;
  countedLogLines = undefined;
  currentRequestId = undefined;
  delete env._X_AMZN_TRACE_ID;
  busy = false;
  send({
    type: 'loop-result',
    statuses,
    warmupStatuses,
    errors: errors - warmupErrors,
    warmupErrors,
    errorSamples,
    logLines,
    ...(plan.latencies ? { latenciesUs } : {}),
    ...(heapUsed ? { heapUsed } : {}),
    ...(throughput ? { throughput } : {}),
    foreignModules: foreignModules(),
  });
}

/**
 * heapUsed once garbage is gone: collections alternate with turns of the event loop, because async_hooks destroy
 * callbacks (which the X-Ray SDK's context tracking relies on to release what it holds) run only after a
 * collection, on a later turn. Needs --expose-gc, which the parent always passes, as Lambda's bootstrap does.
 */
async function settledHeap() {
  for (let i = 0; i < 6; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

/** An error nothing caught: Lambda's runtime reports it for the running invocation and the environment ends. */
function fatal(error, errorType) {
  const payload = errorPayload(error, errorType);
  logInvokeError(payload);
  if (busy) {
    send({ type: 'result', requestId: currentRequestId, error: payload, durationMs: 0, maxMemoryUsedMb: maxMemoryUsedMb(), foreignModules: [], final: true });
  }
  else send({ type: 'crash', error: payload });
  // Exit code 129 is what Lambda's Node.js runtime exits with here; the parent reports Runtime.ExitError for it.
  setImmediate(() => process.exit(129));
}

process.on('uncaughtException', (error) => fatal(error));
process.on('unhandledRejection', (reason) =>
  fatal(
    reason instanceof Error ? reason : new Error(String(reason)),
    'Runtime.UnhandledPromiseRejection',
  ),
);
// The parent went away (killed, crashed): an execution environment without its runtime API ends too.
process.on('disconnect', () => process.exit(0));

(async () => {
  const initStartedAt = performance.now();
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    const payload = errorPayload(error, error && error.errorType ? error.errorType : error instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : undefined);
    logInvokeError(payload);
    send({ type: 'init-error', error: payload, initMs: performance.now() - initStartedAt });
    // A failed init leaves nothing to invoke; Lambda starts a new environment for the next request.
    setImmediate(() => process.exit(1));
    return;
  }
  send({ type: 'ready', bootMs, initMs: performance.now() - initStartedAt, foreignModules: foreignModules(), nodeVersion: process.version });
  process.on('message', (message) => {
    if (message && message.type === 'invoke') void invoke(handler, message);
    if (message && message.type === 'loop') void runLoop(handler, message.plan);
  });
})();
