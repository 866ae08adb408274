import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Makes temporary folders for the enclosing describe block (or file), each removed by the `afterAll` this
 * registers: `const tempDir = useTempDirs(); ... tempDir('suspense-plan-')`.
 */
export function useTempDirs(): (prefix: string) => string {
  const created: string[] = [];
  afterAll(() => {
    for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    created.push(dir);
    return dir;
  };
}
