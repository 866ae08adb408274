/**
 * The event the Lambda console proposes for a new test (its "hello-world" template). The check function must
 * answer it; `suspense invoke` and the sandbox send it by default.
 */
export const CONSOLE_TEST_EVENT = { key1: 'value1', key2: 'value2', key3: 'value3' } as const;
