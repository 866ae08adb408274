import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../stacks/project-root';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cachedNode } = require('../tools/fetch-node.js') as { cachedNode: (major: string) => string | undefined };

/** The Node.js binary functions run on, and why that one. */
export interface LambdaNode {
  readonly binary: string;
  /** `v22.23.5` */
  readonly version: string;
  /** Where the choice came from, for people: `SUSPENSE_LAMBDA_NODE`, `the cache (npm run fetch-node)`, `this machine's Node`. */
  readonly source: string;
}

/**
 * The Node.js a function runs on: `SUSPENSE_LAMBDA_NODE` when set; else, for a Lambda `runtime` such as
 * `nodejs22.x`, that major from the cache `npm run fetch-node` fills (.build/node/<major>/bin/node) when it is
 * there; else the Node running this process.
 */
export function lambdaNode(runtime?: string, env: NodeJS.ProcessEnv = process.env): LambdaNode {
  if (env.SUSPENSE_LAMBDA_NODE) {
    const chosen = path.resolve(env.SUSPENSE_LAMBDA_NODE);
    return { binary: chosen, version: versionOf(chosen), source: 'SUSPENSE_LAMBDA_NODE' };
  }
  const major = runtime === undefined ? undefined : /^nodejs(\d+)\./.exec(runtime)?.[1];
  const cached = major === undefined ? undefined : cachedNode(major);
  if (cached) return { binary: cached, version: versionOf(cached), source: `the cache (${path.relative(PROJECT_ROOT, cached)})` };
  return { binary: process.execPath, version: process.version, source: "this machine's Node" };
}

const versions = new Map<string, string>();

function versionOf(binary: string): string {
  if (binary === process.execPath) return process.version;
  let version = versions.get(binary);
  if (version === undefined) {
    try {
      version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    } catch (error) {
      throw new Error(`cannot run the Node.js binary ${binary}: ${error instanceof Error ? error.message : String(error)}`);
    }
    versions.set(binary, version);
  }
  return version;
}

/** `22` for `v22.23.5`. */
export function majorOf(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1]);
}
