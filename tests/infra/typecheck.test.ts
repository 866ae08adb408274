import { spawn } from 'node:child_process';
import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
/**
 * tsc allocates many short-lived objects and V8's default young generation (16 MB semi-spaces) collects them over and
 * over: with 64 MB the whole check took 12.7 instead of 15.3 CPU-s (2026-12-01), for about 90 MB more at its peak.
 */
const TSC_NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * The whole project type-checks (tsc --noEmit, tsconfig.json: stacks, functions, the CLI, the sandbox, the benchmark
 * and the tests). Jest only transpiles (tools/jest-transform.js), so this is where a type error fails `npm test`; as a
 * test it runs beside the others instead of before them all.
 */
describe('types', () => {
  it('the whole project type-checks with tsc --noEmit', async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const tsc = spawn(process.execPath, [...TSC_NODE_FLAGS, require.resolve('typescript/bin/tsc'), '--noEmit', '--pretty', 'false', '-p', PROJECT_ROOT], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      tsc.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      tsc.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      tsc.on('error', reject);
      tsc.on('close', (code) => resolve({ code, output }));
    });
    // The diagnostics themselves are the failure message.
    expect(result).toEqual({ code: 0, output: '' });
  });
});
