/**
 * The errors of switch writes, in a module without dependencies: the CLI matches them by class without loading
 * the AWS SDK first.
 */

/** The switch moved to another version than the caller expected, or kept moving for every attempt. */
export class SwitchConflictError extends Error {
  override readonly name = 'SwitchConflictError';
  constructor(
    readonly switchName: string,
    readonly attempts: number,
    /** The version found at the last attempt. */
    readonly actualVersion: number,
    readonly expectedVersion?: number,
  ) {
    super(
      expectedVersion === undefined
        ? `switch "${switchName}" kept changing under concurrent writes (version ${actualVersion} after ${attempts} attempts); nothing written by this call, try again`
        : `switch "${switchName}" is at version ${actualVersion}, not the expected ${expectedVersion}; nothing written`,
    );
  }
}

/**
 * A write failed without an answer from DynamoDB (timeout, lost connection) and a read-back could not tell
 * whether it was applied.
 */
export class SwitchWriteUnconfirmedError extends Error {
  override readonly name = 'SwitchWriteUnconfirmedError';
  constructor(
    readonly switchName: string,
    override readonly cause: unknown,
  ) {
    super(`could not confirm whether the write to switch "${switchName}" was applied (${messageOf(cause)}); check its status`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
