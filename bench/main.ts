/**
 * `npm run bench [-- options]`: builds the check function and its alternatives, measures them side by side in one
 * run against one local DynamoDB, prints the table and writes bench/results.json. `--help` lists the options.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../stacks/project-root';
import { runBenchmark } from './benchmark';
import { BenchUsageError, parseBenchArgs, USAGE } from './options';
import { formatResults, resultsJson } from './report';

async function main(): Promise<number> {
  const options = optionsOrUsageError(process.argv.slice(2));
  if (options === 'usage-error') return 2;
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const results = await runBenchmark(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${formatResults(results)}\n`);
  if (options.resultsFile !== undefined) {
    const file = path.resolve(PROJECT_ROOT, options.resultsFile);
    fs.writeFileSync(file, resultsJson(results));
    process.stderr.write(`results written to ${path.relative(process.cwd(), file) || file}\n`);
  }
  return 0;
}

function optionsOrUsageError(args: readonly string[]): ReturnType<typeof parseBenchArgs> | 'usage-error' {
  try {
    return parseBenchArgs(args);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 'usage-error';
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
