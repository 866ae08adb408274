/**
 * The read deadline as the switch store decides it, on fake timers: a read that DynamoDB never answers ends at
 * readDeadlineMs(settings) to the millisecond, not a moment earlier and never later, however busy the machine.
 * (check-faults.test.ts runs the same reads against a real endpoint, in real time, with a wide bound.)
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDeadlineMs } from '../../functions/switch/dynamo-client';
import { DEFAULT_SETTINGS, type SwitchSettings } from '../../functions/switch/schema';
import type { LogLine } from '../../functions/switch/structured-log';
import { SwitchStore } from '../../functions/switch/switch-store';
import type { SwitchState } from '../../functions/switch/switch-state';

/** A DynamoDB client that never answers, as a hanging endpoint; it gives up only when its caller aborts. */
function hangingClient(): { client: DynamoDBClient; sent: () => number } {
  let sent = 0;
  const client = {
    send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
      sent++;
      return new Promise((_resolve, reject) => {
        options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })));
      });
    },
  } as unknown as DynamoDBClient;
  return { client, sent: () => sent };
}

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00.000Z') });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('switch store read deadline', () => {
  it.each([
    ['the tests\' settings (100 ms × 2 attempts)', { requestTimeoutMs: 100, maxAttempts: 2 }, 300],
    ['the production defaults (250 ms × 3 attempts)', {}, 950],
  ] as const)('gives up a read DynamoDB never answers at exactly its deadline, with %s', async (_what, limits, expectedDeadlineMs) => {
    const settings: Partial<SwitchSettings> = { ...limits, failMode: 'closed' };
    const { client, sent } = hangingClient();
    const warnings: LogLine[] = [];
    const store = new SwitchStore({ tableName: 'switches', settings, client, log: (line) => warnings.push(line) });
    let answer: SwitchState | undefined;

    void store.readSwitch('payments').then((state) => (answer = state));
    await jest.advanceTimersByTimeAsync(expectedDeadlineMs - 1);
    const beforeTheDeadline = answer;
    await jest.advanceTimersByTimeAsync(1);

    expect(readDeadlineMs({ ...DEFAULT_SETTINGS, ...settings })).toBe(expectedDeadlineMs);
    expect(beforeTheDeadline).toBeUndefined();
    expect(answer).toMatchObject({ switch: 'payments', suspended: true, source: 'default' });
    expect(sent()).toBe(1);
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', msg: 'switch read failed', switch: 'payments', error: expect.stringMatching(/^AbortError: /) })]);
  });

  it('shares one deadline among concurrent reads of one switch', async () => {
    const { client, sent } = hangingClient();
    const store = new SwitchStore({ tableName: 'switches', settings: { requestTimeoutMs: 100, maxAttempts: 2 }, client, log: () => undefined });
    const answers: SwitchState[] = [];

    for (let i = 0; i < 20; i++) void store.readSwitch('payments').then((state) => answers.push(state));
    await jest.advanceTimersByTimeAsync(299);
    const beforeTheDeadline = answers.length;
    await jest.advanceTimersByTimeAsync(1);

    expect(beforeTheDeadline).toBe(0);
    expect(answers).toHaveLength(20);
    expect(new Set(answers.map((state) => state.source))).toEqual(new Set(['default']));
    expect(sent()).toBe(1);
  });
});
