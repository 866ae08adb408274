/** What `invoke` checks before anything is invoked: the function's name and the event file. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CONSOLE_TEST_EVENT } from '../functions/check/console-test-event';
import { quote } from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import { UsageError } from './errors';

/** The event `invoke` sends without --event: the Lambda console's default test event. */
export const CONSOLE_TEST_PAYLOAD = JSON.stringify(CONSOLE_TEST_EVENT);

/** Largest synchronous Invoke payload Lambda accepts. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** Function names, partial and full ARNs, with an optional qualifier. */
const FUNCTION_NAME = /^[A-Za-z0-9_.:$-]{1,170}$/;

export function checkFunctionName(name: string, from: string, command: string): string {
  if (!FUNCTION_NAME.test(name)) throw new UsageError(`invalid ${from} ${quote(name)}: give a function name or ARN`, command);
  return name;
}

/** The event file's text, checked to be JSON within Lambda's payload limit. */
export async function readEventFile(file: string, io: CliIo, command: string): Promise<string> {
  let text: string;
  try {
    const stat = await fs.stat(path.resolve(io.cwd, file));
    if (!stat.isFile()) throw new UsageError(`--event ${quote(file)} is not a file`, command);
    if (stat.size > MAX_EVENT_BYTES) throw new UsageError(`--event ${quote(file)} is larger than Lambda's 6 MB payload limit`, command);
    text = await fs.readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --event ${quote(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, command);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--event ${quote(file)} is not valid JSON: ${(error as Error).message}`, command);
  }
  return text;
}
