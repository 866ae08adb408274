// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cachedNode, LAMBDA_NODE_MAJORS } = require('../../tools/fetch-node.js') as {
  cachedNode: (major: string) => string | undefined;
  LAMBDA_NODE_MAJORS: readonly string[];
};

export interface NodeUnderTest {
  /** `Node 22 (fetched)`, `Node 20 (this machine)` */
  readonly label: string;
  /** The binary, or undefined when it has not been fetched. */
  readonly binary?: string;
}

/**
 * The Node.js binaries the shipped zip is tested on: this machine's, and those of the Lambda runtimes (22, the
 * deployed one, and 24, the next) from the cache `npm run fetch-node` fills. With CI=true every one is required
 * (`.ci/run` fetches them); elsewhere a missing one is skipped with a note saying how to get it.
 */
export function nodesUnderTest(): NodeUnderTest[] {
  const here: NodeUnderTest = { label: `Node ${process.versions.node.split('.')[0]} (this machine)`, binary: process.execPath };
  return [here, ...LAMBDA_NODE_MAJORS.map((major) => ({ label: `Node ${major} (fetched)`, binary: cachedNode(major) }))];
}

/** Whether a missing Node binary fails the suite rather than skipping its tests. */
export const NODES_REQUIRED = process.env.CI === 'true';
