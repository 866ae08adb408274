import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../stacks/project-root';

/** Source files (not tests) that import a module whose name matches `pattern`, relative to the repository root. */
function importersOf(pattern: RegExp): string[] {
  const importers: string[] = [];
  const walk = (relative: string): void => {
    const full = path.join(PROJECT_ROOT, relative);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isFile()) {
      const source = fs.readFileSync(full, 'utf8');
      const specifiers = [...source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]!);
      if (specifiers.some((specifier) => pattern.test(specifier))) importers.push(relative);
      return;
    }
    for (const entry of fs.readdirSync(full)) {
      if (entry === 'node_modules') continue;
      const child = path.join(relative, entry);
      if (fs.statSync(path.join(PROJECT_ROOT, child)).isDirectory() || /\.(ts|js)$/.test(entry)) walk(child);
    }
  };
  for (const root of ['main.ts', 'stacks', 'functions', 'cli', 'bin', 'sandbox', 'bench', 'tools']) walk(root);
  return importers.sort();
}

describe('seams around end-of-life dependencies', () => {
  it('only stacks/ and main.ts import cdktf or its AWS provider, so a move off CDKTF stays there', () => {
    // Reading a package's version from its package.json (tools/terraform-mirror.js) loads none of its code.
    const importers = importersOf(/^(cdktf|@cdktf\/|constructs$)(?!.*\/package\.json$)/);
    expect(importers.filter((file) => file !== 'main.ts' && !file.startsWith(`stacks${path.sep}`))).toEqual([]);
    expect(importers).toContain('main.ts');
  });

  it('functions/ (what runs in Lambda) never imports stacks/, cdktf or the CLI', () => {
    const runtime = importersOf(/(^|\/)(stacks|cli)\/|^cdktf|^@cdktf\//).filter((file) => file.startsWith(`functions${path.sep}`));
    expect(runtime).toEqual([]);
  });
});
