import * as os from 'node:os';
import { MAX_OPERATOR_LENGTH } from '../functions/switch/switch-input';

/**
 * Who is at the keyboard, for `updatedBy` when `--by` is not given: `$USER@hostname`. Deliberately not an STS
 * call: that needs credentials and a network, and the CLI must work against an offline sandbox.
 */
export function defaultOperator(env: NodeJS.ProcessEnv = process.env): string {
  const user = env.USER || env.LOGNAME || env.USERNAME || userInfoName() || 'unknown';
  const host = safeHostname();
  // Environment values are not ours to trust: keep what the library accepts.
  const printable = `${user}${host ? `@${host}` : ''}`.replace(/[^\u0020-\u007e]/g, '');
  return [...printable].slice(0, MAX_OPERATOR_LENGTH).join('') || 'unknown';
}

function userInfoName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers).
    return undefined;
  }
}

function safeHostname(): string | undefined {
  try {
    return os.hostname();
  } catch {
    return undefined;
  }
}
