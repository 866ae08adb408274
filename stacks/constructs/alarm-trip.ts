import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { ALARM_EVENT_DETAIL_TYPE, ALARM_EVENT_SOURCE } from '../../functions/trip/alarm-event';
import { tripsToEnvironment, type TripConfig } from '../../functions/trip/trip-config';
import { TRIP_FUNCTION_DEFAULTS } from '../defaults';
import { NodejsFunction } from './nodejs-function';
import type { SwitchTable } from './switch-table';

/** The trip function's handler module, relative to the repository root. */
export const TRIP_FUNCTION_ENTRY = 'functions/trip/handler.ts';

export interface AlarmTripsProps {
  /** One rule per trip; at least one. */
  readonly trips: readonly TripConfig[];
  /** The table the trips write to. */
  readonly table: SwitchTable;
  /** Also the role's name, and the prefix of each rule's name (`<functionName>-<switch>`). */
  readonly functionName: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** @default 'arm64' */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Concurrent executions kept for the trip function alone. @default TRIP_FUNCTION_DEFAULTS.reservedConcurrentExecutions (2) */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * CloudWatch alarms that suspend switches: one trip function (its own role with GetItem and UpdateItem on the
 * switch table only, logs, X-Ray, log group and reserved concurrency) and, per trip, an EventBridge rule for the
 * alarms' "CloudWatch Alarm State Change" events that targets the function, with the permission that lets that
 * rule, and no other, invoke it.
 */
export class AlarmTrips extends Construct {
  readonly tripFunction: NodejsFunction;
  readonly rules: CloudwatchEventRule[] = [];
  readonly permissions: LambdaPermission[] = [];

  constructor(scope: Construct, id: string, props: AlarmTripsProps) {
    super(scope, id);
    if (props.trips.length === 0) throw new Error('AlarmTrips needs at least one trip');
    const { partition, region, accountId, functionName } = props;
    const seen = new Set<string>();
    for (const trip of props.trips) {
      const ruleName = tripRuleName(functionName, trip);
      if (ruleName.length > 64) throw new Error(`trip on "${trip.switch}": its rule name "${ruleName}" is longer than EventBridge's 64 characters; shorten the trip function's name or the switch's`);
      if (seen.has(tripStatementId(trip))) throw new Error(`trip on "${trip.switch}": one trip per switch (list every alarm of a switch in one trip)`);
      seen.add(tripStatementId(trip));
    }

    this.tripFunction = new NodejsFunction(this, 'trip', {
      functionName,
      entry: TRIP_FUNCTION_ENTRY,
      accountId,
      region,
      partition,
      timeoutSeconds: TRIP_FUNCTION_DEFAULTS.timeoutSeconds,
      memorySize: TRIP_FUNCTION_DEFAULTS.memorySize,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? TRIP_FUNCTION_DEFAULTS.reservedConcurrentExecutions,
      ...(props.architecture ? { architecture: props.architecture } : {}),
      ...(props.logRetentionDays ? { logRetentionDays: props.logRetentionDays } : {}),
      environment: tripsToEnvironment(props.trips),
    });
    props.table.grantReadWrite(this.tripFunction);

    // Spelled from known values, like the table's ARN, so that the plan shows the target and the permission's
    // source in full; depends_on keeps the order a reference would have given.
    const functionArn = `arn:${partition}:lambda:${region}:${accountId}:function:${functionName}`;
    for (const trip of props.trips) {
      const ruleName = tripRuleName(functionName, trip);
      const rule = new CloudwatchEventRule(this, `rule-${trip.switch}`, {
        name: ruleName,
        description: `Alarm state changes that trip switch "${trip.switch}"`,
        eventPattern: JSON.stringify(tripEventPattern(trip, accountId)),
        state: 'ENABLED',
      });
      this.rules.push(rule);
      new CloudwatchEventTarget(this, `target-${trip.switch}`, {
        rule: rule.name,
        targetId: 'trip-function',
        arn: functionArn,
        dependsOn: [this.tripFunction.function],
      });
      this.permissions.push(
        new LambdaPermission(this, `permission-${trip.switch}`, {
          statementId: tripStatementId(trip),
          action: 'lambda:InvokeFunction',
          functionName,
          principal: 'events.amazonaws.com',
          sourceArn: `arn:${partition}:events:${region}:${accountId}:rule/${ruleName}`,
          dependsOn: [this.tripFunction.function],
        }),
      );
    }
  }
}

/** `<functionName>-<switch>`: EventBridge rule names are at most 64 characters (the stack's config checks). */
export function tripRuleName(functionName: string, trip: Pick<TripConfig, 'switch'>): string {
  return `${functionName}-${trip.switch}`;
}

/** The permission's statement id: statement ids take no dots, so a switch's dots become underscores. */
export function tripStatementId(trip: Pick<TripConfig, 'switch'>): string {
  return `trip-${trip.switch.replace(/\./g, '_')}`;
}

/**
 * The event pattern of a trip's rule: state changes of its alarms, whatever the state (OK may resume), from the
 * stack's own account only: a bus that accepts other accounts' events must not let their same-named alarms trip.
 */
export function tripEventPattern(trip: Pick<TripConfig, 'alarmNames'>, accountId: string): Record<string, unknown> {
  return { source: [ALARM_EVENT_SOURCE], 'detail-type': [ALARM_EVENT_DETAIL_TYPE], account: [accountId], detail: { alarmName: [...trip.alarmNames] } };
}
