import { TRIP_FUNCTION_DEFAULTS } from '../../stacks/defaults';
import { DEV_TRIP_ALARM } from '../../stacks/environments';
import type { OfflinePlan, PlannedResource } from '../support/offline-plan';
import { isTripPlanned } from './trip-resources';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const TRIP_FUNCTION = 'suspense-trip-dev';
const RULE = `${TRIP_FUNCTION}-global`;

/**
 * The dev trips' part of the offline plan, registered by tests/infra/plan.test.ts against the dev plan it already
 * made (one plan of the stack, not two: a plan costs several seconds of provider start-up).
 */
export function describeTripPlan(devPlan: () => OfflinePlan): void {
  describe('the dev trips', () => {
    let plan: OfflinePlan;
    let trips: PlannedResource[];
    beforeAll(() => {
      plan = devPlan();
      trips = plan.resources.filter((resource) => isTripPlanned(resource, TRIP_FUNCTION));
    }, 180_000);
    const only = (type: string): Record<string, any> => {
      const found = trips.filter((resource) => resource.type === type);
      if (found.length !== 1) throw new Error(`expected one ${type} among the trips' resources, found ${found.length}`);
      return found[0]!.values;
    };

    it('creates the trip function, its role, log group and three policies, and one rule, target and permission', () => {
      expect(trips.map((r) => `${r.type} ${r.actions.join(',')}`).sort()).toEqual([
        'aws_cloudwatch_event_rule create',
        'aws_cloudwatch_event_target create',
        'aws_cloudwatch_log_group create',
        'aws_iam_role create',
        'aws_iam_role_policy create',
        'aws_iam_role_policy create',
        'aws_iam_role_policy create',
        'aws_lambda_function create',
        'aws_lambda_permission create',
      ]);
    });

    it("matches exactly the dev alarm's state changes from CloudWatch in its own account, on the default bus", () => {
      const rule = only('aws_cloudwatch_event_rule');
      expect(rule).toMatchObject({ name: RULE, event_bus_name: 'default', state: 'ENABLED' });
      expect(JSON.parse(rule.event_pattern)).toEqual({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        account: [ACCOUNT],
        detail: { alarmName: [DEV_TRIP_ALARM] },
      });
    });

    it('targets the trip function with the unmodified event', () => {
      const target = only('aws_cloudwatch_event_target');
      expect(target).toMatchObject({ rule: RULE, target_id: 'trip-function', arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${TRIP_FUNCTION}`, event_bus_name: 'default' });
      expect(target.input).toBeNull();
      expect(target.input_path).toBeNull();
      expect(target.input_transformer).toEqual([]);
    });

    it('lets that rule, and only it, invoke the trip function', () => {
      expect(only('aws_lambda_permission')).toMatchObject({
        action: 'lambda:InvokeFunction',
        function_name: TRIP_FUNCTION,
        principal: 'events.amazonaws.com',
        source_arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${RULE}`,
        statement_id: 'trip-global',
        qualifier: null,
      });
    });

    it("gives the trip role exactly GetItem and UpdateItem on the switch table, its own log group's streams and X-Ray", () => {
      const policies = trips.filter((r) => r.type === 'aws_iam_role_policy').map((r) => r.values);
      expect(policies.map((policy) => policy.role)).toEqual(Array(3).fill(TRIP_FUNCTION));
      const statements = policies.flatMap((policy) => JSON.parse(policy.policy as string).Statement).sort((a, b) => a.Sid.localeCompare(b.Sid));
      expect(statements).toEqual([
        { Sid: 'ChangeSwitches', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/suspense-switches-dev`] },
        { Sid: 'SendTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] },
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${TRIP_FUNCTION}:*`] },
      ]);
      expect(JSON.parse(only('aws_iam_role').assume_role_policy).Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
    });

    it('runs the trip function with reserved concurrency, tracing, its trips and the table in its environment', () => {
      const fn = only('aws_lambda_function');
      expect(fn).toMatchObject({
        function_name: TRIP_FUNCTION,
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        reserved_concurrent_executions: TRIP_FUNCTION_DEFAULTS.reservedConcurrentExecutions,
        timeout: TRIP_FUNCTION_DEFAULTS.timeoutSeconds,
        memory_size: TRIP_FUNCTION_DEFAULTS.memorySize,
        tracing_config: [{ mode: 'Active' }],
        logging_config: [{ log_format: 'JSON', log_group: `/aws/lambda/${TRIP_FUNCTION}`, application_log_level: 'INFO', system_log_level: 'WARN' }],
      });
      expect(fn.environment[0].variables).toEqual({
        SUSPENSE_TABLE: 'suspense-switches-dev',
        SUSPENSE_TRIPS: JSON.stringify([{ switch: 'global', alarmNames: [DEV_TRIP_ALARM], until: '1h', resumeOnOk: true }]),
      });
      expect(only('aws_cloudwatch_log_group')).toMatchObject({ name: `/aws/lambda/${TRIP_FUNCTION}`, retention_in_days: 30 });
    });

    it('outputs the trip function name', () => {
      expect(Object.keys(plan.outputs)).toContain('trip_function_name');
    });
  });
}
