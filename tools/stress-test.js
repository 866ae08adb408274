#!/usr/bin/env node
'use strict';
// `npm run test:stress`: the whole suite (`npm test`) three times in a row while other processes keep every core
// busy, as on a shared CI machine. Prints each run's wall time and result; exits 1 unless all three passed.
// The busy processes are bounded: each stops by itself after STRESS_BUSY_MAX_MINUTES (default 30), or as soon as
// this script is gone, so that an interrupted run leaves nothing spinning.
// Usage: node tools/stress-test.js [--runs <n>] [--busy <processes>]   (defaults: 3 runs, one per core)
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`stress-test: ${name} needs a whole number, got "${process.argv[index + 1] ?? ''}"\n`);
    process.exit(2);
  }
  return value;
}

const RUNS = option('--runs', 3);
const BUSY = option('--busy', os.cpus().length);
const BUSY_MAX_MS = Number(process.env.STRESS_BUSY_MAX_MINUTES ?? 30) * 60_000;

/** A process spinning on one core until `maxMs` passed or its parent is gone. */
const BUSY_LOOP = `
const parent = ${process.pid};
const end = Date.now() + ${BUSY_MAX_MS};
let sink = 0;
while (Date.now() < end) {
  for (let i = 0; i < 5e6; i++) sink += i;
  try { process.kill(parent, 0); } catch { break; }
}
`;

function startBusy() {
  return Array.from({ length: BUSY }, () => spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' }));
}

function runSuite(index) {
  return new Promise((resolve) => {
    const startedAt = process.hrtime.bigint();
    process.stdout.write(`--- run ${index} of ${RUNS}: npm test, with ${BUSY} busy processes on ${os.cpus().length} cores\n`);
    const child = spawn('npm', ['test'], { cwd: ROOT, stdio: 'inherit', env: process.env });
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      resolve({ index, passed: code === 0, seconds, how: signal ? `killed by ${signal}` : `exit ${code}` });
    });
  });
}

(async () => {
  const busy = startBusy();
  const stopBusy = () => busy.forEach((child) => child.kill('SIGKILL'));
  process.on('SIGINT', () => {
    stopBusy();
    process.exit(130);
  });
  const results = [];
  try {
    for (let index = 1; index <= RUNS; index++) results.push(await runSuite(index));
  } finally {
    stopBusy();
  }
  process.stdout.write(`--- stress summary (${BUSY} busy processes, ${os.cpus().length} cores, load average now ${os.loadavg().map((v) => v.toFixed(2)).join(' ')})\n`);
  for (const result of results) {
    process.stdout.write(`run ${result.index}: ${result.passed ? 'passed' : `FAILED (${result.how})`} in ${result.seconds.toFixed(1)} s\n`);
  }
  const passed = results.filter((result) => result.passed).length;
  process.stdout.write(`${passed} of ${results.length} passed\n`);
  process.exit(passed === results.length ? 0 : 1);
})();
