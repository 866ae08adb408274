import type { AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SWITCH_KEY } from '../../functions/switch/schema';

/** What the fake table does with the next GetItem requests. */
export type FakeTableMode = 'up' | 'refusing' | 'hanging' | 'slow';

/** One GetItem the fake table received, and what it did with it. */
export interface FakeRead {
  readonly name: string;
  /** `pending`: a `slow` read not answered yet; it turns `answered` or `refused` when settled, `hung` when aborted. */
  outcome: 'answered' | 'refused' | 'hung' | 'pending';
  /** The item answered (or to be answered, when `pending`); undefined: no item. */
  readonly item?: Record<string, AttributeValue>;
}

interface Delayed {
  readonly read: FakeRead;
  readonly answer: () => void;
  readonly refuse: () => void;
}

/**
 * An in-memory stand-in for DynamoDB's GetItem, for tests that drive thousands of reads through a SwitchStore in
 * simulated time (the property test, floods of names): `refusing` rejects at once as a refused connection does,
 * `hanging` never answers until the store's deadline aborts the request, `slow` answers what the table held when
 * the request arrived, but only when the test settles it (or aborts at the deadline), so reads can overlap writes,
 * floods and clock moves. Everything else about the store (parsing, caching, the deadline timer) runs as in
 * production. Real DynamoDB behaviour is covered against dynalite.
 */
export class FakeSwitchTable {
  mode: FakeTableMode = 'up';
  readonly items = new Map<string, Record<string, AttributeValue>>();
  readonly reads: FakeRead[] = [];
  /** `slow` reads not answered yet, oldest first. */
  private readonly delayed: Delayed[] = [];

  /** The object to pass as a SwitchStore's `client`. */
  readonly client = {
    send: (command: GetItemCommand, options?: { abortSignal?: AbortSignal }): Promise<{ Item?: Record<string, AttributeValue> }> => {
      const name = command.input.Key?.[SWITCH_KEY.name]?.S ?? '';
      if (this.mode === 'refusing') {
        this.reads.push({ name, outcome: 'refused' });
        return Promise.reject(refused());
      }
      if (this.mode === 'hanging') {
        this.reads.push({ name, outcome: 'hung' });
        return new Promise((_resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () => reject(aborted()));
        });
      }
      const item = this.items.get(name);
      if (this.mode === 'slow') {
        const read: FakeRead = { name, outcome: 'pending', ...(item !== undefined ? { item } : {}) };
        this.reads.push(read);
        return new Promise((resolve, reject) => {
          const delayed: Delayed = {
            read,
            answer: () => resolve(item !== undefined ? { Item: item } : {}),
            refuse: () => reject(refused()),
          };
          this.delayed.push(delayed);
          options?.abortSignal?.addEventListener('abort', () => {
            if (read.outcome !== 'pending') return;
            read.outcome = 'hung';
            this.delayed.splice(this.delayed.indexOf(delayed), 1);
            reject(aborted());
          });
        });
      }
      this.reads.push({ name, outcome: 'answered', ...(item !== undefined ? { item } : {}) });
      return Promise.resolve(item !== undefined ? { Item: item } : {});
    },
  } as unknown as DynamoDBClient;

  /** Requests received so far. */
  get readCount(): number {
    return this.reads.length;
  }

  /** `slow` reads still waiting for an answer, oldest first. */
  get pendingReads(): readonly FakeRead[] {
    return this.delayed.map((delayed) => delayed.read);
  }

  /** Answers the pending `slow` read `read` (with the item it found on arrival), or refuses it. */
  settle(read: FakeRead, outcome: 'answered' | 'refused' = 'answered'): void {
    const index = this.delayed.findIndex((delayed) => delayed.read === read);
    if (index < 0) throw new Error(`no pending read ${JSON.stringify(read)}`);
    const [delayed] = this.delayed.splice(index, 1);
    read.outcome = outcome;
    if (outcome === 'answered') delayed!.answer();
    else delayed!.refuse();
  }
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error', code: 'ECONNREFUSED' });
}

function aborted(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}
