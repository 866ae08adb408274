import * as path from 'node:path';
import { lambdaNode } from '../../sandbox/lambda-node';
import { nodesUnderTest } from '../support/lambda-nodes';

describe('the Node.js functions run on (lambdaNode)', () => {
  const fetched22 = nodesUnderTest().find((node) => node.label.startsWith('Node 22 '))?.binary;

  it('is SUSPENSE_LAMBDA_NODE when set, whatever the runtime', () => {
    const chosen = lambdaNode('nodejs22.x', { SUSPENSE_LAMBDA_NODE: process.execPath });

    expect(chosen).toEqual({ binary: process.execPath, version: process.version, source: 'SUSPENSE_LAMBDA_NODE' });
  });

  it('is this Node when no runtime is named', () => {
    expect(lambdaNode(undefined, {})).toEqual({ binary: process.execPath, version: process.version, source: "this machine's Node" });
  });

  it('is this Node for a runtime whose Node has not been fetched', () => {
    expect(lambdaNode('nodejs8.x', {})).toMatchObject({ binary: process.execPath, source: "this machine's Node" });
  });

  (fetched22 ? it : it.skip)('is the fetched Node 22 for nodejs22.x, and says so', () => {
    const chosen = lambdaNode('nodejs22.x', {});

    expect(chosen).toMatchObject({ binary: fetched22, version: expect.stringMatching(/^v22\./), source: `the cache (${path.join('.build', 'node', '22', 'bin', 'node')})` });
  });

  it('refuses a SUSPENSE_LAMBDA_NODE that is not a Node binary, naming it', () => {
    expect(() => lambdaNode(undefined, { SUSPENSE_LAMBDA_NODE: '/nonexistent/node' })).toThrow('cannot run the Node.js binary /nonexistent/node');
  });
});
