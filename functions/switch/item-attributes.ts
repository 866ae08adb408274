import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SWITCH_ATTRIBUTES as A } from './schema';

/** What a reader of the switch's state needs: every attribute but the key and the history. */
const READ_ATTRIBUTES = [A.suspended, A.reason, A.until, A.updatedAt, A.updatedBy, A.version] as const;

/**
 * GetItem parameters that fetch only READ_ATTRIBUTES: the history (up to MAX_HISTORY_ENTRIES entries) stays on
 * the server, so an uncached check transfers and parses what it did before history existed. (Read capacity is
 * still charged on the whole item: DynamoDB bills a read by item size, not by what it returns.) Placeholders for
 * every name, as some of ours are reserved words.
 */
export const STATE_PROJECTION = {
  ProjectionExpression: READ_ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(READ_ATTRIBUTES.map((name, i) => [`#a${i}`, name])),
} as const;

/** STATE_PROJECTION plus the key, for reads that find items by scanning. */
export const KEYED_STATE_PROJECTION = {
  ProjectionExpression: `#key, ${STATE_PROJECTION.ProjectionExpression}`,
  ExpressionAttributeNames: { '#key': A.name, ...STATE_PROJECTION.ExpressionAttributeNames },
} as const;

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
