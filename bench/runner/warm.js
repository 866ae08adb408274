'use strict';
// The warm phases of one contender in a process of its own, loading the unpacked package: per-invocation latency
// over sequential invocations, then (optionally) throughput with many invocations in flight. Each invocation gets
// a fresh trace header, set outside the timed section as the runtime sets it between invocations.
// Usage: node warm.js <handler module> <plan.json> <result.json>
//   plan: { event, expectedStatus, warmupInvocations, invocations, throughputSeconds, concurrency }
const fs = require('node:fs');
const { setTraceHeader, invocationContext } = require('./lambda-invocation');

const [modulePath, planFile, resultFile] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const { handler } = require(modulePath);

let invocationIndex = 0;
let errors = 0;
const errorSamples = [];

function check(response) {
  if (!response || response.statusCode !== plan.expectedStatus) {
    errors += 1;
    if (errorSamples.length < 3) errorSamples.push(JSON.stringify(response).slice(0, 300));
  }
}

function failed(error) {
  errors += 1;
  if (errorSamples.length < 3) errorSamples.push(String(error && error.stack).slice(0, 300));
}

/** Latency of `count` sequential invocations, in microseconds. */
async function sequentialLatencies(count) {
  const latencies = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    setTraceHeader();
    const context = invocationContext(invocationIndex++);
    const startedAt = process.hrtime.bigint();
    try {
      check(await handler(plan.event, context));
    } catch (error) {
      failed(error);
    }
    latencies[i] = Number(process.hrtime.bigint() - startedAt) / 1e3;
  }
  return latencies;
}

/** Invocations completed in `seconds` with `concurrency` of them in flight at any time. */
async function throughput(seconds, concurrency) {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let completed = 0;
  const worker = async () => {
    while (process.hrtime.bigint() < deadline) {
      setTraceHeader();
      try {
        check(await handler(plan.event, invocationContext(invocationIndex++)));
      } catch (error) {
        failed(error);
      }
      completed += 1;
    }
  };
  const startedAt = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  return { completed, perSecond: completed / elapsedSeconds };
}

(async () => {
  await sequentialLatencies(plan.warmupInvocations);
  const warmupErrors = errors;
  const latencies = await sequentialLatencies(plan.invocations);
  const load = plan.throughputSeconds > 0 ? await throughput(plan.throughputSeconds, plan.concurrency) : undefined;
  fs.writeFileSync(
    resultFile,
    JSON.stringify({ latenciesUs: Array.from(latencies), throughput: load, errors, warmupErrors, errorSamples }),
  );
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`warm run failed: ${error && error.stack}\n`);
  process.exit(1);
});
