import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startProcess } from './sandbox-process';

/** Generous for 2-core CI machines running other suites at the same time; a healthy run takes about 8 s. */
const RUN_TIMEOUT_MS = 170_000;

describe('npm start (the walkthrough)', () => {
  it('walks through the story against the synthesized function and the real CLI, and exits 0', async () => {
    const run = startProcess('npm', ['start'], { AWS_PROFILE: 'must-not-be-used' });

    const exitCode = await run.exited(RUN_TIMEOUT_MS);

    const output = run.output();
    expect({ exitCode, output }).toMatchObject({ exitCode: 0 });
    const story = [
      /\[1\/7\] starting the sandbox/,
      /synthesized in .*: stack suspense-dev, function suspense-check-dev/,
      /nodejs22\.x arm64, 640 MB, timeout 5 s, handler index\.handler/,
      /SUSPENSE_TABLE=suspense-switches-dev\n/,
      /SUSPENSE_CACHE_TTL_SECONDS=1 {2}\(the stack sets 5; shortened/,
      /\[2\/7\] Lambda console test event \{"key1":"value1","key2":"value2","key3":"value3"\} -> expect 200/,
      /ok {3}cold 200 \{"switch":"global","suspended":false\} .* = start .* \+ init .* \+ invoke /,
      /ok {3}warm 200 \{"switch":"global","suspended":false\}/,
      /\$ suspense suspend global --reason 'sandbox walkthrough: planned maintenance' --until 5m\n/,
      /waiting 1\.10 s for the function's cache TTL \(SUSPENSE_CACHE_TTL_SECONDS=1; the stack sets 5\)/,
      /ok {3}warm 503 Retry-After: \d+ \{"switch":"global","suspended":true,"reason":"sandbox walkthrough: planned maintenance"/,
      /ok {3}cold 503 Retry-After: \d+ /,
      /\[4\/7\] REST API \(v1 proxy\) event/,
      /ok {3}warm 200 \{"switch":"payments","suspended":false\}/,
      /\$ suspense resume global\n/,
      /\[6\/7\] CloudWatch alarm "suspense-dev-checkout-5xx" enters ALARM: .* goes to suspense-trip-dev/,
      /ok {3}cold trip \{"switches":\[\{"switch":"global","written":true,"version":3\}\]\}/,
      /ok {3}warm 503 Retry-After: 3600 \{"switch":"global","suspended":true,"reason":"alarm suspense-dev-checkout-5xx: /,
      /end to end: event handed to the trip function -> the warm check answers 503 in /,
      /\$ suspense history global --limit 3\n +VERSION .*\n +3 .* suspended .* alarm:arn:aws:cloudwatch:eu-west-1:/,
      /ok {3}warm trip \{"switches":\[\{"switch":"global","written":true,"version":4\}\]\}/,
      /\[7\/7\] latencies/,
      /console test event, resumed +\d/,
      /trip function, ALARM then OK +\d/,
      /OK: every expectation met in /,
    ];
    let position = 0;
    for (const line of story) {
      const match = line.exec(output.slice(position));
      expect({ missing: line.source, match: Boolean(match) }).toEqual({ missing: line.source, match: true });
      position += (match?.index ?? 0) + (match?.[0].length ?? 0);
    }
    expect(output).not.toMatch(/^ +FAIL /m);
    // Node prints process warnings (the SDK's Node version notice among them) as `(node:<pid>) Warning: ...`.
    expect(output).not.toMatch(/\(node:\d+\) \w*Warning/);
    expect(output).not.toContain('(no segments)');
    const workDir = /unpacked alone into (\S+)\/task/.exec(output)?.[1];
    expect(workDir).toBeDefined();
    expect(fs.existsSync(workDir as string)).toBe(false);
  }, RUN_TIMEOUT_MS + 10_000);

  it('exits non-zero with the reason when the function would resolve modules it does not ship, and leaves nothing behind', async () => {
    // A node_modules above the unpacked package would hide a missing dependency: the sandbox refuses to run.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-tmpdir-'));
    fs.mkdirSync(path.join(root, 'node_modules'));
    const tmpdir = path.join(root, 'tmp');
    fs.mkdirSync(tmpdir);
    try {
      const run = startProcess(process.execPath, ['tools/run-ts.js', 'sandbox/main.ts'], { TMPDIR: tmpdir });

      const exitCode = await run.exited(RUN_TIMEOUT_MS);

      expect(exitCode).toBe(1);
      expect(run.output()).toContain(`FAILED after`);
      expect(run.output()).toContain(`${path.join(root, 'node_modules')} exists: the unpacked package could resolve modules from it`);
      expect(fs.readdirSync(tmpdir)).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, RUN_TIMEOUT_MS + 10_000);

  it('rejects an unknown option with the usage and exit code 2, starting nothing', async () => {
    const run = startProcess(process.execPath, ['tools/run-ts.js', 'sandbox/main.ts', '--serv']);

    const exitCode = await run.exited(20_000);

    expect(exitCode).toBe(2);
    expect(run.output()).toContain('npm start: unknown argument "--serv"');
    expect(run.output()).toContain('usage: npm start [-- --serve');
  }, 30_000);
});
