import type { Context } from 'aws-lambda';
import { sharedSwitchStore } from './environment-store';
import { switchStateResponse, type ProxyResponse } from './proxy-response';
import { isValidSwitchName, SWITCH_NAME_PATTERN } from './schema';
import type { SwitchState } from './switch-state';
import type { SwitchStore } from './switch-store';

/** A Lambda handler in the async form. */
export type AsyncHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult> | TResult;

export interface SwitchGuardOptions<TEvent, TSuspended> {
  /** The switch that guards the handler: a name, or a function of the event that returns one. */
  readonly switch: string | ((event: TEvent) => string);
  /**
   * Where the switch is read.
   * @default sharedSwitchStore(): configured from SUSPENSE_TABLE and the other SUSPENSE_* variables at first use
   */
  readonly store?: SwitchStore;
  /**
   * The answer while suspended. Functions that are not behind API Gateway can throw here instead (an SQS
   * consumer, for one, so that its messages return to the queue).
   * @default a 503 API Gateway proxy response with the reason, `until` and `Retry-After` (see proxy-response.ts)
   */
  readonly whenSuspended?: (state: SwitchState, event: TEvent, context: Context) => TSuspended | Promise<TSuspended>;
  /** Milliseconds since the epoch, for `Retry-After`. @default Date.now */
  readonly clock?: () => number;
}

/**
 * Guards `handler` with a switch: while the switch is suspended the handler is not called and the guard answers
 * instead (by default a 503 proxy response); while it is active the handler runs as if unwrapped. This is how
 * any team's function shares a suspend switch:
 *
 *   export const handler = withSwitch(placeOrder, { switch: 'orders' });
 *
 * The check costs a map lookup while the switch is cached (see SwitchStore). If DynamoDB cannot be read, a switch
 * last read suspended stays suspended and one with nothing usable known gets its fail policy (SUSPENSE_FAIL_MODE,
 * SUSPENSE_FAIL_CLOSED_SWITCHES). A missing SUSPENSE_TABLE, or a name outside SUSPENSE_SWITCHES when that is set
 * (UndeclaredSwitchError), rejects the invocation with a message naming the variable.
 */
export function withSwitch<TEvent, TResult, TSuspended = ProxyResponse>(
  handler: AsyncHandler<TEvent, TResult>,
  options: SwitchGuardOptions<TEvent, TSuspended>,
): (event: TEvent, context: Context) => Promise<TResult | TSuspended> {
  if (typeof handler !== 'function') throw new TypeError('withSwitch needs the handler function to guard');
  const { switch: switchOption } = options;
  if (typeof switchOption === 'string' && !isValidSwitchName(switchOption)) {
    throw new TypeError(`withSwitch: invalid switch name ${JSON.stringify(switchOption)}: a name is 1-64 characters matching ${SWITCH_NAME_PATTERN}`);
  }
  if (typeof switchOption !== 'string' && typeof switchOption !== 'function') {
    throw new TypeError('withSwitch needs options.switch: a switch name or a function of the event');
  }
  const clock = options.clock ?? Date.now;
  const whenSuspended =
    options.whenSuspended ?? ((state: SwitchState) => switchStateResponse(state, clock()) as unknown as TSuspended);

  return async (event, context) => {
    const name = typeof switchOption === 'string' ? switchOption : switchOption(event);
    const state = await (options.store ?? sharedSwitchStore()).readSwitch(name);
    if (state.suspended) return whenSuspended(state, event, context);
    return handler(event, context);
  };
}
