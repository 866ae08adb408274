/**
 * The documented defaults of the constructs, defined once: the constructs apply them, the environment config
 * (stacks/config.ts) starts from them, and the tests compare against them. Free of cdktf, so that the sandbox
 * and the benchmark can read them without loading it.
 */

/** Defaults of the NodejsFunction construct (stacks/constructs/nodejs-function.ts). */
export const FUNCTION_DEFAULTS = {
  /**
   * The newest Lambda Node.js runtime the pinned AWS provider (5.100.0, from @cdktf/provider-aws 20.1.0)
   * accepts; it rejects `nodejs24.x`. The esbuild target is derived from it (stacks/bundling/esbuild-bundle.ts).
   */
  runtime: 'nodejs22.x',
  /** The proof of concept's finding: 640 MB halves the cold start of 128 MB. */
  memorySize: 640,
  /** Seconds; the switch read's own time budget stays well inside it (checked by the config). */
  timeoutSeconds: 5,
  architecture: 'arm64',
  /** Days the function's logs are kept. */
  logRetentionDays: 30,
} as const;

/** Defaults of the SwitchTable construct (stacks/constructs/switch-table.ts). */
export const TABLE_DEFAULTS = {
  billing: { mode: 'PAY_PER_REQUEST' },
  deletionProtection: false,
} as const;

/**
 * Concurrent executions reserved for an environment's check function: it can never take more of the account's
 * concurrency than this (a caller allowed only to invoke cannot starve the account's other functions), and it
 * always has this much. Lambda keeps at least 100 of an account's concurrency unreserved, so an account whose
 * limit is the new-account 10 must lower it or ask for a higher limit.
 */
export const CHECK_FUNCTION_RESERVED_CONCURRENCY = 100;

/** Defaults of the trip function (stacks/constructs/alarm-trip.ts), where they differ from FUNCTION_DEFAULTS. */
export const TRIP_FUNCTION_DEFAULTS = {
  /** It waits on DynamoDB only; nobody waits on it. */
  memorySize: 256,
  /** Seconds: writes with retries and conflict re-reads; the handler bounds its own work at 20 s. */
  timeoutSeconds: 30,
  /**
   * Alarms fire when things go wrong, often when the account's concurrency is exhausted by the very load that
   * tripped them: a reservation keeps the trip runnable then, and bounds how hard an event storm hits the table.
   */
  reservedConcurrentExecutions: 2,
} as const;

/** Where environments and the state bucket live unless told otherwise. */
export const DEFAULT_REGION = 'eu-west-1';
