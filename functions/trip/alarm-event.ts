/**
 * The EventBridge event CloudWatch sends when an alarm changes state ("CloudWatch Alarm State Change"), read into
 * what a trip needs. Anything else is reported as a problem, never thrown: the caller logs and ignores it.
 */

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

export interface AlarmStateChange {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly state: AlarmState;
  /** CloudWatch's explanation of the new state. */
  readonly reason: string;
  /** ISO 8601 UTC: when the alarm entered the new state, by CloudWatch's clock. */
  readonly stateAt: string;
  /** The EventBridge event id: a redelivery carries the same one. */
  readonly eventId: string;
}

export type ParsedAlarmEvent = { readonly ok: true; readonly change: AlarmStateChange } | { readonly ok: false; readonly problem: string };

export const ALARM_EVENT_SOURCE = 'aws.cloudwatch';
export const ALARM_EVENT_DETAIL_TYPE = 'CloudWatch Alarm State Change';

const STATES: readonly AlarmState[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

export function parseAlarmEvent(event: unknown): ParsedAlarmEvent {
  if (!isObject(event)) return { ok: false, problem: 'the event is not an object' };
  if (event.source !== ALARM_EVENT_SOURCE || event['detail-type'] !== ALARM_EVENT_DETAIL_TYPE) {
    return { ok: false, problem: `not a "${ALARM_EVENT_DETAIL_TYPE}" event from ${ALARM_EVENT_SOURCE}` };
  }
  const detail = event.detail;
  if (!isObject(detail) || !isObject(detail.state)) return { ok: false, problem: 'the event has no detail.state' };
  const { alarmName } = detail;
  const { value, reason, timestamp } = detail.state;
  if (typeof alarmName !== 'string' || alarmName === '') return { ok: false, problem: 'the event has no detail.alarmName' };
  if (!STATES.includes(value as AlarmState)) return { ok: false, problem: `unknown alarm state ${JSON.stringify(value)}` };
  // CloudWatch writes `2019-10-02T17:04:40.985+0000`.
  const stateMs = typeof timestamp === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(timestamp) ? Date.parse(timestamp) : NaN;
  if (!Number.isFinite(stateMs)) return { ok: false, problem: `unusable detail.state.timestamp ${JSON.stringify(timestamp)}` };
  const resources = Array.isArray(event.resources) ? event.resources : [];
  const alarmArn = resources.find((resource): resource is string => typeof resource === 'string' && /^arn:[^:]+:cloudwatch:[^:]*:\d{12}:alarm:/.test(resource));
  if (!alarmArn) return { ok: false, problem: 'the event names no alarm ARN in resources' };
  return {
    ok: true,
    change: {
      alarmName,
      alarmArn,
      state: value as AlarmState,
      reason: typeof reason === 'string' ? reason : '',
      stateAt: new Date(stateMs).toISOString(),
      eventId: typeof event.id === 'string' ? event.id : '',
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
