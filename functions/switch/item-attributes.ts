import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SWITCH_ATTRIBUTES as A } from './schema';

const READ_ATTRIBUTES = [A.suspended, A.reason, A.until, A.updatedAt, A.updatedBy, A.version] as const;

/**
 * The switch item's attributes as plain values, for parseSwitchItem. A few lines instead of the document client's
 * general unmarshaller: a read converts six attributes, and the check's uncached path should cost little more
 * than the GetItem itself. Containers keep only their kind (parseSwitchItem reports a list or a set where a
 * scalar belongs, it never reads one).
 */
export function plainSwitchAttributes(item: Record<string, AttributeValue>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const name of READ_ATTRIBUTES) {
    const value = item[name];
    if (value !== undefined) plain[name] = plainValue(value);
  }
  return plain;
}

function plainValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.BOOL !== undefined) return value.BOOL;
  // A number outside the double range becomes Infinity or loses precision; parseSwitchItem rejects those.
  if (value.N !== undefined) return Number(value.N);
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return [];
  if (value.SS !== undefined || value.NS !== undefined || value.BS !== undefined) return new Set();
  if (value.M !== undefined) return {};
  if (value.B !== undefined) return value.B;
  return undefined;
}
