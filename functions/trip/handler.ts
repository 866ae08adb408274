import { createDynamoClient } from '../switch/dynamo-client';
import { ENV } from '../switch/schema';
import { tripsFromEnvironment } from './trip-config';
import { createTripHandler, type TripSetup } from './trip-handler';

/**
 * Writes may take longer than the check's reads without harm (nobody waits on a trip), but must not hang: a
 * request gets 2 s and 3 attempts, and conflicts are re-read and re-decided by the switch library.
 */
const TRIP_REQUEST_LIMITS = { requestTimeoutMs: 2000, maxAttempts: 3 } as const;

/** Read once per execution environment; a bad configuration is reported by every invocation (see createTripHandler). */
function setupFromEnvironment(env: NodeJS.ProcessEnv): TripSetup {
  try {
    const tableName = env[ENV.table];
    if (!tableName) throw new Error(`${ENV.table} is not set`);
    return { ok: true, table: { client: createDynamoClient(TRIP_REQUEST_LIMITS), tableName }, trips: tripsFromEnvironment(env) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The trip function's entry point (Lambda handler `index.handler`). */
export const handler = createTripHandler({ setup: setupFromEnvironment(process.env) });
