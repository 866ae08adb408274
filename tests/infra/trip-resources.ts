/**
 * The environment stacks hold the check function's resources and, when the config declares trips, the trip
 * function's (construct `alarm-trips`). The check function's tests look at their own resources through these
 * views; tests/infra/trips.test.ts and trip-plan.ts look at the trips'.
 */
import type { OfflinePlan } from '../support/offline-plan';
import type { StackJson } from '../support/synth';

/** Logical ids of the trips' resources start with this (the AlarmTrips construct's id). */
export const TRIPS_PREFIX = 'alarm-trips_';

const isTripRoleReference = (role: unknown) => typeof role === 'string' && role.startsWith(`\${aws_iam_role.${TRIPS_PREFIX}`);

/** `stack` without the trips' resources (the table's grant to the trip role included) and outputs. */
export function withoutTrips(stack: StackJson): StackJson {
  const resource = Object.fromEntries(
    Object.entries(stack.resource).flatMap(([type, byId]) => {
      const kept = Object.fromEntries(Object.entries(byId).filter(([id, values]) => !id.startsWith(TRIPS_PREFIX) && !isTripRoleReference(values.role)));
      return Object.keys(kept).length > 0 ? [[type, kept]] : [];
    }),
  );
  const output = Object.fromEntries(Object.entries(stack.output ?? {}).filter(([name]) => !name.startsWith('trip_')));
  return { ...stack, resource, output };
}

/** Only the trips' resources of `stack`, by type and logical id. */
export function tripsOnly(stack: StackJson): Record<string, Record<string, Record<string, any>>> {
  return Object.fromEntries(
    Object.entries(stack.resource).flatMap(([type, byId]) => {
      const kept = Object.fromEntries(Object.entries(byId).filter(([id, values]) => id.startsWith(TRIPS_PREFIX) || isTripRoleReference(values.role)));
      return Object.keys(kept).length > 0 ? [[type, kept]] : [];
    }),
  );
}

/** The planned resources of the trips: their addresses hold the construct's id; the grant names the trip role. */
export function isTripPlanned(resource: OfflinePlan['resources'][number], tripFunctionName: string): boolean {
  return resource.name.startsWith(TRIPS_PREFIX) || (resource.type === 'aws_iam_role_policy' && resource.values.role === tripFunctionName);
}

/** `plan` without the trips' resources and outputs: what the check function's assertions look at. */
export function planWithoutTrips(plan: OfflinePlan, tripFunctionName: string): OfflinePlan {
  return {
    ...plan,
    resources: plan.resources.filter((resource) => !isTripPlanned(resource, tripFunctionName)),
    outputs: Object.fromEntries(Object.entries(plan.outputs).filter(([name]) => !name.startsWith('trip_'))),
  };
}
