import { writeLogLine } from '../../functions/switch/structured-log';

describe('structured log lines', () => {
  function written(run: () => void): Array<Record<string, unknown>> {
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      run();
    } finally {
      spy.mockRestore();
    }
    return chunks.join('').trimEnd().split('\n').map((line) => JSON.parse(line));
  }

  it('stamps warn and error lines, so that Lambda keeps their level under a WARN filter', () => {
    const [warn, error] = written(() => {
      writeLogLine({ level: 'warn', msg: 'switch read failed' });
      writeLogLine({ level: 'error', msg: 'check' });
    });
    expect(warn).toEqual({ timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), level: 'warn', msg: 'switch read failed' });
    expect(error).toMatchObject({ timestamp: expect.any(String), level: 'error' });
  });

  it('writes info lines, one per invocation, without a timestamp: Lambda reads those as INFO anyway', () => {
    expect(written(() => writeLogLine({ level: 'info', msg: 'check', switch: 'global' }))).toEqual([{ level: 'info', msg: 'check', switch: 'global' }]);
  });
});
