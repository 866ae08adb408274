import { getSwitch } from '../../functions/switch/switch-operations';
import { useDynalite } from '../support/dynalite';
import { baseEnv, runCli } from './cli-harness';

const OPERATORS = 16;

const dynamo = useDynalite({ table: 'switches' });

describe('suspense CLI: concurrent operators', () => {
  it(`never loses an update when ${OPERATORS} operators suspend and resume one switch at once`, async () => {
    const env = { ...baseEnv(dynamo.endpoint), SUSPENSE_TABLE: 'switches' };

    // All started at once, not batched: the point is for their reads and writes to interleave.
    const results = await Promise.all(
      Array.from({ length: OPERATORS }, (_, i) =>
        runCli(
          i % 2 === 0
            ? ['suspend', 'global', '--reason', `operator ${i}`, '--by', `operator-${i}`, '--json']
            : ['resume', 'global', '--by', `operator-${i}`, '--json'],
          { env, killAfterMs: 45_000 },
        ),
      ),
    );

    const succeeded = results.filter((r) => r.code === 0);
    const failed = results.filter((r) => r.code !== 0);
    for (const result of failed) {
      expect(result).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^suspense: switch "global" kept changing under concurrent writes/) });
    }
    expect(succeeded.length).toBeGreaterThan(0);
    // Every reported success owns exactly one version, and together they are 1..N: none overwrote another unseen.
    const written = succeeded.map((r) => JSON.parse(r.stdout) as { version: number; updatedBy: string });
    expect(written.map((w) => w.version).sort((a, b) => a - b)).toEqual(Array.from({ length: succeeded.length }, (_, i) => i + 1));
    const final = await getSwitch({ client: dynamo.client, tableName: 'switches' }, 'global');
    expect(final).toMatchObject({ kind: 'record', record: { version: succeeded.length } });
    expect(final.kind === 'record' && final.record.updatedBy).toBe(written.find((w) => w.version === succeeded.length)?.updatedBy);
  });
});
