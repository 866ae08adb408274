import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLambdaEnvironment } from '../../functions/switch/tracing';
import { startXrayDaemonStub } from '../../sandbox/xray-daemon-stub';
import { useDynalite } from '../support/dynalite';
import { lambdaLikeEnvironment } from '../support/environment';
import { restApiEvent } from '../support/lambda-events';
import { CHECK_HANDLER_SOURCE, FROM_SOURCE, runHandler, waitFor } from '../support/run-handler';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
const TABLE = 'switches';
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const LAMBDA_SEGMENT_ID = '53995c3f42cd8ad8';

describe('X-Ray tracing', () => {
  const dynamo = useDynalite({ table: TABLE });
  beforeAll(() => putRawSwitchItem(dynamo.client, TABLE, 'held', switchAttributes({ suspended: true, reason: 'maintenance' })));

  const baseEnv = (): Record<string, string> => lambdaLikeEnvironment(dynamo.endpoint, { SUSPENSE_TABLE: TABLE });

  it('sends a DynamoDB subsegment and a readSwitch subsegment per check with switch, suspended and source annotations', async () => {
    const daemon = await startXrayDaemonStub();
    try {
      const annotated = () => daemon.documentsFor(TRACE_ROOT).filter((document) => document.name === 'readSwitch');
      const dynamoCalls = () => daemon.documentsFor(TRACE_ROOT).filter((document) => document.name === 'DynamoDB');

      const run = await runHandler({
        modulePath: CHECK_HANDLER_SOURCE,
        nodeArgs: FROM_SOURCE,
        events: [restApiEvent({ pathSwitch: 'held' }), restApiEvent({ pathSwitch: 'held' })],
        env: {
          ...baseEnv(),
          AWS_LAMBDA_FUNCTION_NAME: 'suspense-check-test',
          AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        },
        trace: `Root=${TRACE_ROOT};Parent=${LAMBDA_SEGMENT_ID};Sampled=1`,
        stayUntil: () => waitFor(() => annotated().length >= 2 && dynamoCalls().length >= 1, 10000),
      });

      expect(run.invocations.map((invocation) => invocation.response.statusCode)).toEqual([503, 503]);
      expect(run.xrayLoaded).toBe(true);
      // Nothing but the function's own lines: no warning from the X-Ray SDK.
      expect(run.logLines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['check', 'check']);
      expect(dynamoCalls()).toEqual([
        expect.objectContaining({
          type: 'subsegment',
          name: 'DynamoDB',
          namespace: 'aws',
          trace_id: TRACE_ROOT,
          parent_id: LAMBDA_SEGMENT_ID,
          aws: expect.objectContaining({ operation: 'GetItem', table_name: TABLE }),
          http: { response: expect.objectContaining({ status: 200 }) },
        }),
      ]);
      expect(annotated()).toEqual([
        expect.objectContaining({ trace_id: TRACE_ROOT, parent_id: LAMBDA_SEGMENT_ID, annotations: { switch: 'held', suspended: true, source: 'fresh' } }),
        expect.objectContaining({ trace_id: TRACE_ROOT, parent_id: LAMBDA_SEGMENT_ID, annotations: { switch: 'held', suspended: true, source: 'cached' } }),
      ]);
    } finally {
      await daemon.stop();
    }
  });

  it('outside Lambda loads no X-Ray code and prints nothing but its log lines', async () => {
    const run = await runHandler({
      modulePath: CHECK_HANDLER_SOURCE,
      nodeArgs: FROM_SOURCE,
      events: [restApiEvent({ pathSwitch: 'held' })],
      env: baseEnv(),
    });

    expect(run.invocations.map((invocation) => invocation.response.statusCode)).toEqual([503]);
    expect(run.xrayLoaded).toBe(false);
    expect(run.logLines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['check']);
  });

  it('is loaded by exactly one module, so that replacing it (with OpenTelemetry) is a one-module change', () => {
    const importers: string[] = [];
    const walk = (dir: string): void => {
      if (!fs.existsSync(dir)) return;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== 'node_modules') walk(file);
        else if (/\.(ts|js)$/.test(entry.name) && /(from|require\()\s*['"]aws-xray-sdk-core['"]/.test(fs.readFileSync(file, 'utf8'))) {
          importers.push(path.relative(PROJECT_ROOT, file));
        }
      }
    };
    for (const dir of ['functions', 'cli', 'stacks', 'sandbox', 'bench']) walk(path.join(PROJECT_ROOT, dir));

    expect(importers).toEqual([path.join('functions', 'switch', 'tracing.ts')]);
  });

  it.each([
    [{ AWS_LAMBDA_FUNCTION_NAME: 'f', LAMBDA_TASK_ROOT: '/var/task' }, true],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'f', _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT}` }, true],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'f', LAMBDA_TASK_ROOT: '/var/task', AWS_XRAY_SDK_ENABLED: 'false' }, false],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'f' }, false],
    [{ LAMBDA_TASK_ROOT: '/var/task' }, false],
    [{}, false],
  ])('treats the environment %j as Lambda: %s', (env, expected) => {
    expect(isLambdaEnvironment(env)).toBe(expected);
  });
});
