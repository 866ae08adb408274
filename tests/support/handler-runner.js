'use strict';
// Runs in a fresh Node process, as the Lambda runtime would: loads a handler module, invokes it with each event in
// turn, and writes the responses and timings to a result file. Kept as plain JavaScript so that it can sit beside
// an unpacked artifact with nothing else around it.
// Usage: node handler-runner.js <module> <events.json> <result.json> [--stay]
const fs = require('node:fs');

const [modulePath, eventsFile, resultFile, stay] = process.argv.slice(2);
const loadStartedAt = process.hrtime.bigint();
const loaded = require(modulePath);
const loadMs = Number(process.hrtime.bigint() - loadStartedAt) / 1e6;

(async () => {
  const events = JSON.parse(fs.readFileSync(eventsFile, 'utf8'));
  const invocations = [];
  for (const [index, event] of events.entries()) {
    const startedAt = process.hrtime.bigint();
    const response = await loaded.handler(event, { awsRequestId: `request-${index + 1}` });
    invocations.push({ response, ms: Number(process.hrtime.bigint() - startedAt) / 1e6 });
  }
  const xrayLoaded = Object.keys(require.cache).some((file) => file.includes('aws-xray-sdk-core'));
  fs.writeFileSync(resultFile, JSON.stringify({ loadMs, invocations, xrayLoaded }));
  // With --stay the process lives until its parent closes stdin, so that asynchronous work the invocations
  // started (trace segments on their way over UDP) can be observed without racing the process's exit.
  if (stay === '--stay') process.stdin.on('end', () => process.exit(0)).resume();
  else process.exit(0);
})().catch((error) => {
  process.stderr.write(`runner failed: ${error && error.stack}\n`);
  process.exit(1);
});
