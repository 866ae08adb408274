'use strict';
// One cold start, as Lambda's Node.js runtime would do it: a fresh process requires the handler module from the
// unpacked package, then invokes it. Writes the module load time, the first invocation's time and every response
// to a result file. The first event is the measured one; later events only check the answers.
// Usage: node cold-start.js <handler module> <events.json> <result.json>
const fs = require('node:fs');
const { setTraceHeader, invocationContext } = require('./lambda-invocation');

const [modulePath, eventsFile, resultFile] = process.argv.slice(2);
const events = JSON.parse(fs.readFileSync(eventsFile, 'utf8'));

const loadStartedAt = process.hrtime.bigint();
const loaded = require(modulePath);
const loadMs = Number(process.hrtime.bigint() - loadStartedAt) / 1e6;

(async () => {
  const responses = [];
  let firstInvokeMs;
  for (const [index, event] of events.entries()) {
    // The first request of a new execution environment is sampled, as X-Ray's reservoir takes the first each second.
    setTraceHeader(index === 0 ? true : undefined);
    const startedAt = process.hrtime.bigint();
    const response = await loaded.handler(event, invocationContext(index));
    if (index === 0) firstInvokeMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    responses.push(response);
  }
  fs.writeFileSync(resultFile, JSON.stringify({ loadMs, firstInvokeMs, responses }));
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`cold start failed: ${error && error.stack}\n`);
  process.exit(1);
});
