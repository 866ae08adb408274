import { UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAX_REASON_LENGTH } from '../../functions/switch/schema';
import type { LogLine } from '../../functions/switch/structured-log';
import { SwitchStore } from '../../functions/switch/switch-store';
import { getSwitch, getSwitchHistory, resumeSwitch, suspendSwitch, type SwitchTableClient } from '../../functions/switch/switch-operations';
import type { TripConfig } from '../../functions/trip/trip-config';
import { decideTrip } from '../../functions/trip/trip-decision';
import { createTripHandler, type TripHandler } from '../../functions/trip/trip-handler';
import { alarmStateChangeEvent, CONSOLE_TEST_EVENT, type AlarmStateChangeRequest } from '../../sandbox/events';
import { useDynalite } from '../support/dynalite';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ALARM = 'checkout-5xx';
const ALARM_ARN = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${ALARM}`;
const BY = `alarm:${ALARM_ARN}`;

const dynamo = useDynalite();

interface Rig {
  readonly table: SwitchTableClient;
  readonly trip: TripHandler;
  readonly logs: LogLine[];
  /** Moves the trip's clock. */
  setNow(ms: number): void;
}

async function rig(trips: readonly TripConfig[], client: SwitchTableClient['client'] = dynamo.client): Promise<Rig> {
  const table = { client, tableName: (await dynamo.newTable()).tableName };
  const logs: LogLine[] = [];
  let now = NOW;
  const trip = createTripHandler({ setup: { ok: true, table, trips }, log: (line) => logs.push(line), clock: () => now });
  return { table, trip, logs, setNow: (ms) => (now = ms) };
}

const event = (state: AlarmStateChangeRequest['state'], stateAtMs: number, more: Partial<AlarmStateChangeRequest> = {}) =>
  alarmStateChangeEvent({ alarmName: ALARM, accountId: ACCOUNT, region: REGION, state, stateAt: new Date(stateAtMs), reason: `went ${state}`, ...more });

const recordOf = async (table: SwitchTableClient, name = 'global') => {
  const stored = await getSwitch(table, name);
  return stored.kind === 'record' ? stored.record : undefined;
};

describe('trip function', () => {
  it("on ALARM suspends the switch for the trip's until, as the alarm, with the alarm's reason, and the check answers suspended", async () => {
    const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM], until: '30m' }]);

    const result = await trip(event('ALARM', NOW - 2000));

    expect(result).toEqual({ switches: [{ switch: 'global', written: true, version: 1 }] });
    expect(await recordOf(table)).toEqual({
      name: 'global',
      suspended: true,
      reason: `alarm ${ALARM}: went ALARM`,
      until: at(NOW + 1_800_000),
      updatedAt: at(NOW),
      updatedBy: BY,
      version: 1,
    });
    expect(await getSwitchHistory(table, 'global')).toEqual([
      { version: 1, replacedVersion: 0, suspended: true, reason: `alarm ${ALARM}: went ALARM`, until: at(NOW + 1_800_000), at: at(NOW), by: BY, eventAt: at(NOW - 2000) },
    ]);
    const state = await new SwitchStore({ tableName: table.tableName, client: dynamo.client, clock: () => NOW + 1000 }).readSwitch('global');
    expect(state).toMatchObject({ suspended: true, reason: `alarm ${ALARM}: went ALARM`, until: at(NOW + 1_800_000) });
  });

  it('writes nothing for a repeat of the same state change, also after an operator resumed the switch in between', async () => {
    const { table, trip, setNow } = await rig([{ switch: 'global', alarmNames: [ALARM] }]);
    const alarm = event('ALARM', NOW - 2000);
    await trip(alarm);

    setNow(NOW + 1000);
    const repeat = await trip(alarm);
    await resumeSwitch(table, { name: 'global', reason: 'false alarm', by: 'alice' }, { now: () => NOW + 2000 });
    setNow(NOW + 3000);
    const lateRepeat = await trip(alarm);

    expect(repeat.switches).toEqual([{ switch: 'global', written: false, why: 'this alarm already applied this state change or a later one to the switch' }]);
    expect(lateRepeat.switches).toEqual([{ switch: 'global', written: false, why: 'this alarm already applied this state change or a later one to the switch' }]);
    expect((await getSwitchHistory(table, 'global')).map((entry) => `${entry.version} ${entry.by}`)).toEqual(['2 alice', `1 ${BY}`]);
  });

  it('writes nothing for a new ALARM while its own suspension is in force', async () => {
    const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM] }]);
    await trip(event('ALARM', NOW - 60_000));
    await trip(event('OK', NOW - 30_000));

    const again = await trip(event('ALARM', NOW - 1000));

    expect(again.switches).toEqual([{ switch: 'global', written: false, why: 'already suspended by this alarm' }]);
    expect(await recordOf(table)).toMatchObject({ version: 1 });
  });

  it('ignores a state change older than one this alarm already applied (EventBridge does not promise order)', async () => {
    const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM], resumeOnOk: true }]);
    await trip(event('ALARM', NOW - 60_000));
    await trip(event('OK', NOW - 30_000));

    const stale = await trip(event('ALARM', NOW - 45_000));

    expect(stale.switches[0]).toMatchObject({ written: false });
    expect(await recordOf(table)).toMatchObject({ suspended: false, version: 2 });
  });

  it.each([
    ['with no end', undefined],
    ['until a time later than the trip would', at(NOW + 7_200_000)],
  ])("never overrides an operator's suspension %s", async (_case, until) => {
    const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM], until: '1h' }]);
    await suspendSwitch(table, { name: 'global', reason: 'INC-1', by: 'alice', ...(until ? { until } : {}) }, { now: () => NOW - 1000 });

    const result = await trip(event('ALARM', NOW - 500));

    expect(result.switches[0]).toMatchObject({ written: false, why: expect.stringMatching(/^already suspended by alice .*at least as long as this trip would$/) });
    expect(await recordOf(table)).toMatchObject({ reason: 'INC-1', updatedBy: 'alice', version: 1, ...(until ? { until } : {}) });
  });

  it("extends an operator's suspension that would end before the trip's, and suspends again once an until has passed", async () => {
    const { table, trip } = await rig([
      { switch: 'global', alarmNames: [ALARM], until: '1h' },
      { switch: 'orders', alarmNames: [ALARM] },
    ]);
    await suspendSwitch(table, { name: 'global', reason: 'short', by: 'alice', until: at(NOW + 600_000) }, { now: () => NOW - 1000 });
    await suspendSwitch(table, { name: 'orders', reason: 'over', by: 'bob', until: at(NOW - 1) }, { now: () => NOW - 10_000 });

    const result = await trip(event('ALARM', NOW - 500));

    expect(result.switches).toEqual([
      { switch: 'global', written: true, version: 2 },
      { switch: 'orders', written: true, version: 2 },
    ]);
    expect(await recordOf(table, 'global')).toMatchObject({ suspended: true, until: at(NOW + 3_600_000), updatedBy: BY });
    expect(await recordOf(table, 'orders')).toMatchObject({ suspended: true, updatedBy: BY });
    expect((await recordOf(table, 'orders'))?.until).toBeUndefined();
  });

  it('decides again on fresh state when an operator writes between its read and its write', async () => {
    const real = DynamoDBDocumentClient.from(dynamo.client);
    let raced = false;
    let tableName = '';
    const racing = {
      send: async (command: unknown, options?: unknown) => {
        if (command instanceof UpdateCommand && !raced) {
          raced = true;
          await suspendSwitch({ client: real, tableName }, { name: 'global', reason: 'operator first', by: 'alice' }, { now: () => NOW });
        }
        return real.send(command as never, options as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM], until: '1h' }], racing);
    tableName = table.tableName;

    const result = await trip(event('ALARM', NOW - 500));

    expect(raced).toBe(true);
    expect(result.switches[0]).toMatchObject({ written: false });
    expect(await recordOf(table)).toMatchObject({ reason: 'operator first', updatedBy: 'alice', version: 1 });
  });

  describe('on OK', () => {
    it('resumes a suspension this alarm made when resumeOnOk is set, once', async () => {
      const { table, trip, setNow } = await rig([{ switch: 'global', alarmNames: [ALARM], resumeOnOk: true }]);
      await trip(event('ALARM', NOW - 60_000));
      setNow(NOW + 1000);

      const result = await trip(event('OK', NOW));
      const repeat = await trip(event('OK', NOW));

      expect(result.switches).toEqual([{ switch: 'global', written: true, version: 2 }]);
      expect(repeat.switches[0]).toMatchObject({ written: false });
      expect(await recordOf(table)).toEqual({ name: 'global', suspended: false, reason: `alarm ${ALARM}: went OK`, updatedAt: at(NOW + 1000), updatedBy: BY, version: 2 });
    });

    it('leaves the switch suspended without resumeOnOk', async () => {
      const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM] }]);
      await trip(event('ALARM', NOW - 60_000));

      const result = await trip(event('OK', NOW));

      expect(result.switches).toEqual([{ switch: 'global', written: false, why: 'resumeOnOk is not set for this trip' }]);
      expect(await recordOf(table)).toMatchObject({ suspended: true, version: 1 });
    });

    it('never resumes a suspension someone else made: an operator, or another alarm', async () => {
      const other = 'checkout-latency';
      const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM, other], resumeOnOk: true }]);
      await trip(event('ALARM', NOW - 60_000));
      await suspendSwitch(table, { name: 'global', reason: 'taking over', by: 'alice' }, { now: () => NOW - 30_000 });

      const afterOperator = await trip(event('OK', NOW - 20_000));
      await resumeSwitch(table, { name: 'global', by: 'alice' }, { now: () => NOW - 15_000 });
      await trip(event('ALARM', NOW - 10_000, { alarmName: other }));
      const afterOtherAlarm = await trip(event('OK', NOW - 5000));

      expect(afterOperator.switches[0]).toMatchObject({ written: false, why: 'the switch is not suspended by this alarm' });
      expect(afterOtherAlarm.switches[0]).toMatchObject({ written: false, why: 'the switch is not suspended by this alarm' });
      expect(await recordOf(table)).toMatchObject({ suspended: true, updatedBy: `alarm:arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${other}` });
    });
    it("never lifts an operator's suspension it extended: the switch stays suspended until the operator's until", async () => {
      const { table, trip, setNow, logs } = await rig([{ switch: 'global', alarmNames: [ALARM], resumeOnOk: true, until: '48h' }]);
      await suspendSwitch(table, { name: 'global', reason: 'INC-2', by: 'alice', until: at(NOW + 86_400_000) }, { now: () => NOW - 1000 });
      const extended = await trip(event('ALARM', NOW - 500));
      setNow(NOW + 60_000);

      const result = await trip(event('OK', NOW + 30_000));

      expect(extended.switches[0]).toMatchObject({ written: true, version: 2 });
      expect(result.switches[0]).toMatchObject({
        written: false,
        why: `this alarm's suspension replaced one by alice (version 1) until ${at(NOW + 86_400_000)}, still in force`,
      });
      expect(logs.at(-1)).toMatchObject({ level: 'info', msg: 'trip', state: 'OK', written: false, why: result.switches[0]!.why });
      expect(await recordOf(table)).toMatchObject({ suspended: true, updatedBy: BY, version: 2 });
    });

    it("resumes over an operator's suspension that has ended by its own until since the alarm extended it", async () => {
      const { table, trip, setNow } = await rig([{ switch: 'global', alarmNames: [ALARM], resumeOnOk: true }]);
      await suspendSwitch(table, { name: 'global', reason: 'short', by: 'alice', until: at(NOW + 600_000) }, { now: () => NOW - 1000 });
      await trip(event('ALARM', NOW - 500));
      setNow(NOW + 600_000);

      const result = await trip(event('OK', NOW + 500_000));

      expect(result.switches).toEqual([{ switch: 'global', written: true, version: 3 }]);
      expect(await recordOf(table)).toMatchObject({ suspended: false, updatedBy: BY });
    });

    it("never lifts another alarm's suspension it extended: B's OK leaves A's suspension while A is in ALARM", async () => {
      const other = 'checkout-latency';
      const { table, trip, setNow } = await rig([{ switch: 'global', alarmNames: [ALARM, other], resumeOnOk: true, until: '1h' }]);
      await trip(event('ALARM', NOW - 500));
      setNow(NOW + 600_000);
      const extended = await trip(event('ALARM', NOW + 590_000, { alarmName: other }));
      setNow(NOW + 700_000);

      const result = await trip(event('OK', NOW + 690_000, { alarmName: other }));

      expect(extended.switches[0]).toMatchObject({ written: true, version: 2 });
      expect(result.switches[0]).toMatchObject({ written: false, why: `this alarm's suspension replaced one by ${BY} (version 1) until ${at(NOW + 3_600_000)}, still in force` });
      expect(await recordOf(table)).toMatchObject({ suspended: true, version: 2 });
    });

    it("writes nothing when another tool's history claims a version replaced itself (the walk back never loops)", () => {
      const history = [{ version: 4, replacedVersion: 4, suspended: true, at: at(NOW - 1000), by: BY }];
      const record = { name: 'global', suspended: true, updatedBy: BY, updatedAt: at(NOW - 1000), version: 4 };

      const outcome = decideTrip(
        { switch: 'global', alarmNames: [ALARM], resumeOnOk: true },
        { alarmName: ALARM, alarmArn: ALARM_ARN, state: 'OK', reason: 'ok', stateAt: at(NOW), eventId: 'e-1' },
        { stored: { kind: 'record', name: 'global', record, warnings: [] }, history },
        NOW,
      );

      expect(outcome).toEqual({ write: false, why: "the history no longer shows version 4, which this alarm's suspension replaced" });
    });

    it('resumes after its own suspensions in a row, each from the one before (an until that passed, then ALARM again)', async () => {
      const { table, trip, setNow } = await rig([{ switch: 'global', alarmNames: [ALARM], resumeOnOk: true, until: '10m' }]);
      await trip(event('ALARM', NOW - 500));
      setNow(NOW + 700_000);
      await trip(event('ALARM', NOW + 650_000));
      setNow(NOW + 800_000);

      const result = await trip(event('OK', NOW + 790_000));

      expect(result.switches).toEqual([{ switch: 'global', written: true, version: 3 }]);
      expect(await recordOf(table)).toMatchObject({ suspended: false, version: 3 });
    });
  });

  it('writes a reason of one printable line, cut to the reason limit', async () => {
    const { table, trip } = await rig([{ switch: 'global', alarmNames: [ALARM] }]);

    await trip(event('ALARM', NOW - 1000, { reason: `line one\nline two\u001b[31m ${'x'.repeat(2 * MAX_REASON_LENGTH)}` }));

    const reason = (await recordOf(table))?.reason ?? '';
    expect([...reason]).toHaveLength(MAX_REASON_LENGTH);
    expect(reason.startsWith(`alarm ${ALARM}: line one line two [31m xxx`)).toBe(true);
    expect(reason.endsWith('x…')).toBe(true);
  });

  it.each<[string, unknown]>([
    ["the Lambda console's test event", CONSOLE_TEST_EVENT],
    ['an EC2 state change', { version: '0', id: 'e1', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { state: 'stopped' } }],
    ['an alarm event without a state', { ...event('ALARM', NOW), detail: { alarmName: ALARM } }],
    ['an alarm event with an unknown state', { ...event('ALARM', NOW), detail: { alarmName: ALARM, state: { value: 'BROKEN', timestamp: at(NOW) } } }],
    ['an alarm event without the alarm ARN', { ...event('ALARM', NOW), resources: [] }],
    ['an alarm no trip names', event('ALARM', NOW, { alarmName: 'someone-elses-alarm' })],
    ['null', null],
  ])('logs and ignores %s, writing nothing', async (_case, unknownEvent) => {
    const { table, trip, logs } = await rig([{ switch: 'global', alarmNames: [ALARM] }]);

    const result = await trip(unknownEvent);

    expect(result.ignored).toEqual(expect.any(String));
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: 'event ignored', problem: result.ignored })]);
    expect(await getSwitch(table, 'global')).toEqual({ kind: 'absent', name: 'global' });
  });

  it('throws when the write fails, so that the asynchronous invocation is retried', async () => {
    const logs: LogLine[] = [];
    const trip = createTripHandler({
      setup: { ok: true, table: { client: dynamo.client, tableName: 'no-such-table' }, trips: [{ switch: 'global', alarmNames: [ALARM] }] },
      log: (line) => logs.push(line),
    });

    await expect(trip(event('ALARM', NOW))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(logs).toEqual([expect.objectContaining({ level: 'error', msg: 'trip failed', switch: 'global', alarm: ALARM_ARN })]);
  });

  it('throws, naming the problem, when misconfigured', async () => {
    const logs: LogLine[] = [];
    const trip = createTripHandler({ setup: { ok: false, problem: 'SUSPENSE_TRIPS is not set' }, log: (line) => logs.push(line) });

    await expect(trip(event('ALARM', NOW))).rejects.toThrow('the trip function is misconfigured: SUSPENSE_TRIPS is not set');
    expect(logs).toEqual([{ level: 'error', msg: 'trip function is misconfigured', error: 'SUSPENSE_TRIPS is not set' }]);
  });
});
