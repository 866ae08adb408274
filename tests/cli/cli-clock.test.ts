import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { CliIo } from '../../cli/cli-io';
import { runCli } from '../../cli/run';
import { useDynalite } from '../support/dynalite';
import { baseEnv } from './cli-harness';
import { withEnvironment } from '../support/environment';

const TABLE = 'clock';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** The CLI in this process (the SDK reads its endpoint and credentials from process.env), on a clock we drive. */
describe('suspense CLI on a clock that moves while it works', () => {
  const dynamo = useDynalite({ table: TABLE });
  let restoreEnvironment: () => void;
  beforeAll(() => {
    restoreEnvironment = withEnvironment(baseEnv(dynamo.endpoint));
  });
  afterAll(() => restoreEnvironment?.());

  it('counts --until 1s from the write, however long the parse and the lookups before it took', async () => {
    // Every reading of the clock is 5 s after the one before: as if each step (a slow --stack lookup) took 5 s.
    const readings: number[] = [];
    const stderr: string[] = [];
    const io: CliIo = {
      stdout: () => undefined,
      stderr: (text) => stderr.push(text),
      env: { ...baseEnv(dynamo.endpoint), SUSPENSE_TABLE: TABLE },
      cwd: process.cwd(),
      now: () => {
        readings.push(T0 + readings.length * 5_000);
        return readings[readings.length - 1]!;
      },
    };

    const code = await runCli(['suspend', 'orders', '--reason', 'INC-1', '--until', '1s'], io);
    const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { switch: { S: 'orders' } } }));

    expect({ code, stderr }).toEqual({ code: 0, stderr: [] });
    const untilMs = Date.parse(Item?.until?.S ?? '');
    expect(readings).toContain(untilMs - 1_000);
    expect(untilMs - 1_000).toBeGreaterThan(readings[0]!);
  });
});
