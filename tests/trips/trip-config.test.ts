import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { tripProblem, tripsFromEnvironment, tripsToEnvironment, type TripConfig } from '../../functions/trip/trip-config';
import { AlarmTrips } from '../../stacks/constructs/alarm-trip';
import { SwitchTable } from '../../stacks/constructs/switch-table';
import { environmentConfig } from '../../stacks/config';
import { synthTestStack } from '../support/synth';

const base = { environment: 'qa', accountId: '123456789012' };
const where = { accountId: '123456789012', region: 'eu-west-1', partition: 'aws' };

describe('trips config', () => {
  it('carries the trips to the trip function through its environment unchanged', () => {
    const trips: TripConfig[] = [
      { switch: 'global', alarmNames: ['checkout-5xx', 'payments latency p99'], until: '2h', resumeOnOk: true },
      { switch: 'orders', alarmNames: ['orders-dlq-not-empty'] },
    ];

    expect(tripsFromEnvironment(tripsToEnvironment(trips))).toEqual(trips);
  });

  it.each<[string, unknown, string]>([
    ['a bad switch name', { switch: 'bad name', alarmNames: ['a'] }, 'switch must match /^[A-Za-z0-9._-]{1,64}$/'],
    ['no alarms', { switch: 'global', alarmNames: [] }, 'alarmNames must list at least one alarm name'],
    ['an empty alarm name', { switch: 'global', alarmNames: [''] }, 'alarmNames must be CloudWatch alarm names (1-255 characters, no control, bidirectional or line-separator characters, no lone surrogates), got ""'],
    // Each would make `by` (alarm:<alarm ARN>) one the switch library refuses to write: the trip could never fire.
    ['a C1 control in an alarm name', { switch: 'global', alarmNames: ['5xx\u0085rate'] }, 'alarmNames must be CloudWatch alarm names'],
    ['a right-to-left override in an alarm name', { switch: 'global', alarmNames: ['5xx\u202erate'] }, 'alarmNames must be CloudWatch alarm names'],
    ['a left-to-right mark in an alarm name', { switch: 'global', alarmNames: ['5xx\u200erate'] }, 'alarmNames must be CloudWatch alarm names'],
    ['a line separator in an alarm name', { switch: 'global', alarmNames: ['5xx\u2028rate'] }, 'alarmNames must be CloudWatch alarm names'],
    ['a lone surrogate in an alarm name', { switch: 'global', alarmNames: ['5xx\ud800rate'] }, 'alarmNames must be CloudWatch alarm names'],
    ['an alarm name of 256 characters', { switch: 'global', alarmNames: ['a'.repeat(256)] }, 'alarmNames must be CloudWatch alarm names'],
    ['a repeated alarm', { switch: 'global', alarmNames: ['a', 'a'] }, 'alarmNames must not repeat a name'],
    ['an until that is a time', { switch: 'global', alarmNames: ['a'], until: '2030-01-01T00:00:00Z' }, 'until must be a duration from 1s to 365d such as 30m, 2h or 1d, got "2030-01-01T00:00:00Z"'],
    ['an until of zero', { switch: 'global', alarmNames: ['a'], until: '0m' }, 'until must be a duration'],
    ['a resumeOnOk that is not a boolean', { switch: 'global', alarmNames: ['a'], resumeOnOk: 'yes' }, 'resumeOnOk must be true or false'],
    ['a misspelt field', { switch: 'global', alarmNames: ['a'], resumeOnOK: true }, 'has unknown field(s) resumeOnOK'],
  ])('refuses a trip with %s, naming the environment and the trip', (_case, trip, problem) => {
    expect(tripProblem(trip)).toEqual(expect.stringContaining(problem));
    expect(() => environmentConfig({ ...base, trips: [trip as TripConfig] })).toThrow(`environment "qa": trips[0] ${problem}`);
  });

  it('refuses a trip function named like the check function', () => {
    expect(() => environmentConfig({ ...base, tripFunctionName: 'suspense-check-qa' })).toThrow('environment "qa": tripFunctionName must differ from functionName');
  });

  it.each([
    ['SUSPENSE_TRIPS is not set', {}],
    ['SUSPENSE_TRIPS is not JSON', { SUSPENSE_TRIPS: '[' }],
    ['SUSPENSE_TRIPS[0] alarmNames must list at least one alarm name', { SUSPENSE_TRIPS: '[{"switch":"global","alarmNames":[]}]' }],
  ])('the function refuses its environment when %s', (message, env) => {
    expect(() => tripsFromEnvironment(env)).toThrow(message);
  });
});

describe('AlarmTrips construct', () => {
  const build = (trips: TripConfig[], functionName = 'suspense-trip-qa') =>
    synthTestStack((stack) => {
      new AwsProvider(stack, 'aws', { region: where.region });
      const table = new SwitchTable(stack, 'switches', { ...where, tableName: 'switches' });
      new AlarmTrips(stack, 'alarm-trips', { ...where, trips, table, functionName });
    });

  it('adds a rule, a target and a permission per trip, all for the one trip function', () => {
    const json = build([
      { switch: 'global', alarmNames: ['a'] },
      { switch: 'orders.v2', alarmNames: ['b', 'c'] },
    ]);

    expect(Object.values(json.resource.aws_lambda_function)).toHaveLength(1);
    expect(Object.values<Record<string, string>>(json.resource.aws_cloudwatch_event_rule).map((rule) => [rule.name, JSON.parse(rule.event_pattern!)])).toEqual([
      ['suspense-trip-qa-global', { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], account: ['123456789012'], detail: { alarmName: ['a'] } }],
      ['suspense-trip-qa-orders.v2', { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], account: ['123456789012'], detail: { alarmName: ['b', 'c'] } }],
    ]);
    expect(Object.values<Record<string, string>>(json.resource.aws_cloudwatch_event_target).map((target) => target.arn)).toEqual(
      Array(2).fill('arn:aws:lambda:eu-west-1:123456789012:function:suspense-trip-qa'),
    );
    expect(Object.values<Record<string, string>>(json.resource.aws_lambda_permission).map((p) => [p.statement_id, p.source_arn])).toEqual([
      ['trip-global', 'arn:aws:events:eu-west-1:123456789012:rule/suspense-trip-qa-global'],
      ['trip-orders_v2', 'arn:aws:events:eu-west-1:123456789012:rule/suspense-trip-qa-orders.v2'],
    ]);
  });

  it("refuses, at synth, trips whose SUSPENSE_TRIPS would take the trip function over Lambda's 4 KB environment", () => {
    const alarmNames = Array.from({ length: 20 }, (_, index) => `checkout-${String(index).padStart(2, '0')}-${'x'.repeat(200)}`);

    expect(() => build([{ switch: 'global', alarmNames }])).toThrow(
      /^NodejsFunction suspense-trip-qa: its environment variables would take \d+ bytes \(names and values, UTF-8\), over Lambda's limit of 4096 \(the apply would fail\): SUSPENSE_TRIPS \d+/,
    );
    expect(() => build([{ switch: 'global', alarmNames: alarmNames.slice(0, 15) }])).not.toThrow();
  });

  it('refuses two trips on one switch and a rule name longer than EventBridge takes', () => {
    expect(() => build([{ switch: 'global', alarmNames: ['a'] }, { switch: 'global', alarmNames: ['b'] }])).toThrow('trip on "global": one trip per switch');
    expect(() => build([{ switch: 's'.repeat(50), alarmNames: ['a'] }])).toThrow(/is longer than EventBridge's 64 characters/);
  });
});
