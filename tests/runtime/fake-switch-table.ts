import type { AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SWITCH_KEY } from '../../functions/switch/schema';

/** What the fake table does with the next GetItem requests. */
export type FakeTableMode = 'up' | 'refusing' | 'hanging';

/** One GetItem the fake table received, and what it did with it. */
export interface FakeRead {
  readonly name: string;
  readonly outcome: 'answered' | 'refused' | 'hung';
  /** The item answered, when `answered` (undefined: no item). */
  readonly item?: Record<string, AttributeValue>;
}

/**
 * An in-memory stand-in for DynamoDB's GetItem, for tests that drive thousands of reads through a SwitchStore in
 * simulated time (the property test, floods of names): `refusing` rejects at once as a refused connection does,
 * `hanging` never answers until the store's deadline aborts the request. Everything else about the store (parsing,
 * caching, the deadline timer) runs as in production. Real DynamoDB behaviour is covered against dynalite.
 */
export class FakeSwitchTable {
  mode: FakeTableMode = 'up';
  readonly items = new Map<string, Record<string, AttributeValue>>();
  readonly reads: FakeRead[] = [];

  /** The object to pass as a SwitchStore's `client`. */
  readonly client = {
    send: (command: GetItemCommand, options?: { abortSignal?: AbortSignal }): Promise<{ Item?: Record<string, AttributeValue> }> => {
      const name = command.input.Key?.[SWITCH_KEY.name]?.S ?? '';
      if (this.mode === 'refusing') {
        this.reads.push({ name, outcome: 'refused' });
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error', code: 'ECONNREFUSED' }));
      }
      if (this.mode === 'hanging') {
        this.reads.push({ name, outcome: 'hung' });
        return new Promise((_resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })));
        });
      }
      const item = this.items.get(name);
      this.reads.push({ name, outcome: 'answered', ...(item !== undefined ? { item } : {}) });
      return Promise.resolve(item !== undefined ? { Item: item } : {});
    },
  } as unknown as DynamoDBClient;

  /** Requests received so far. */
  get readCount(): number {
    return this.reads.length;
  }
}
