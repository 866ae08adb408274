/**
 * One dynalite for the whole benchmark, in a process of its own: the benchmark's own work (spawning processes,
 * reading their results) then never delays a request, and the contenders' requests are served alike.
 * Prints `{"endpoint": "http://127.0.0.1:<port>"}` on one line; stops when its parent closes its stdin (which
 * the parent's exit does too).
 * Usage: node tools/run-ts.js bench/dynamo-server.ts
 */
import { startDynamo } from '../sandbox/local-dynamo';

async function main(): Promise<void> {
  const dynamo = await startDynamo();
  process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint })}\n`);
  process.stdin.on('end', () => {
    void dynamo.stop().then(() => process.exit(0));
  });
  process.stdin.resume();
}

main().catch((error: unknown) => {
  process.stderr.write(`dynamo server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
