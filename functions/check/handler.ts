import { switchStoreFromEnvironment } from '../switch/environment-store';
import { createCheckHandler, type CheckSetup } from './check-handler';

/**
 * Read once per execution environment, at init: the configuration cannot change between invocations.
 *
 * A bad configuration (SUSPENSE_TABLE missing, a setting out of range) is caught here rather than thrown. Thrown
 * at import, it would make Lambda fail every invocation with Runtime.ImportModuleError and run the init again
 * each time, a cold start per request that callers see as an opaque error; caught, every invocation answers a
 * JSON 500 and logs a line naming the variable to fix.
 */
function setupFromEnvironment(env: NodeJS.ProcessEnv): CheckSetup {
  try {
    const store = switchStoreFromEnvironment(env);
    return { ok: true, store, defaultSwitch: store.settings.defaultSwitch };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The check function's entry point (Lambda handler `index.handler`). */
export const handler = createCheckHandler({ setup: setupFromEnvironment(process.env) });
