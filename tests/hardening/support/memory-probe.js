'use strict';
// Measures the check function's heap across long runs of invocations, in a process of its own started with
// --expose-gc (a Jest worker's heap holds the test framework's garbage too). Loads the handler module as Lambda
// would, invokes it `warmup` times, then `rounds` times `invocations` more, reading heapUsed after garbage
// collection before the first round and after each. Log lines are counted, not kept: in Lambda the runtime takes
// them away.
// Usage: node --expose-gc -r tools/register-ts.js memory-probe.js <module> <config.json> <result.json>
const fs = require('node:fs');

const [modulePath, configFile, resultFile] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
if (typeof global.gc !== 'function') throw new Error('memory-probe needs node --expose-gc');

let logLines = 0;
process.stdout.write = (chunk) => {
  logLines += String(chunk).split('\n').length - 1;
  return true;
};

const { handler } = require(modulePath);

/** Runs `count` invocations, `concurrency` at a time, each naming one of config.switches in turn. */
async function invoke(count, statuses, traceSeed) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      // The Lambda runtime sets a new trace header for every invocation; the X-Ray SDK reads it from here.
      process.env._X_AMZN_TRACE_ID = `Root=1-${(traceSeed + Math.floor(index / config.concurrency)).toString(16).padStart(8, '0')}-${'0'.repeat(24)};Parent=53995c3f42cd8ad8;Sampled=1`;
      const name = config.switches[index % config.switches.length];
      const response = await handler({ pathParameters: { switch: name } }, { awsRequestId: `probe-${index}` });
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
}

/**
 * heapUsed once garbage is gone: collections alternate with turns of the event loop, because async_hooks destroy
 * callbacks (which the X-Ray SDK's context tracking relies on to release what it holds) run only after a
 * collection, on a later turn.
 */
async function settledHeap() {
  for (let i = 0; i < 6; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

(async () => {
  const warmupStatuses = {};
  await invoke(config.warmup, warmupStatuses, 0x60000000);
  const heapUsed = [await settledHeap()];
  const statuses = {};
  const startedAt = process.hrtime.bigint();
  for (let round = 1; round <= config.rounds; round++) {
    await invoke(config.invocations, statuses, 0x70000000 + round * config.invocations);
    heapUsed.push(await settledHeap());
  }
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  const xrayLoaded = Object.keys(require.cache).some((file) => file.includes('aws-xray-sdk-core'));
  fs.writeFileSync(resultFile, JSON.stringify({ heapUsed, statuses, warmupStatuses, logLines, ms, xrayLoaded }));
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`memory-probe failed: ${error && error.stack}\n`);
  process.exit(1);
});
