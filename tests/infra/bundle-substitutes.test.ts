import { buildSync } from 'esbuild';
import fc from 'fast-check';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { BUNDLE_SUBSTITUTES, functionBuildOptions } from '../../stacks/bundling/esbuild-bundle';
import { PROJECT_ROOT } from '../../stacks/project-root';
import { CHECK_FUNCTION_ENTRY } from '../../stacks/suspense-stack';
import { credentialsFromEnvironment, defaultProvider } from '../../functions/bundle-substitutes/credential-provider-node';
import { gte } from '../../functions/bundle-substitutes/semver';

// semver ships no types; the test needs one function of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require('semver') as { gte(version: string, minimum: string): boolean };

const LAMBDA_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };

describe('bundle substitute for @aws-sdk/credential-provider-node', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each([
    ['the variables Lambda sets', LAMBDA_CREDENTIALS],
    ['keys without a session token', { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' }],
    ['every variable the SDK reads', { ...LAMBDA_CREDENTIALS, AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z', AWS_CREDENTIAL_SCOPE: 'scope', AWS_ACCOUNT_ID: '111111111111' }],
  ])('reads %s exactly as the SDK reads them', async (_, variables) => {
    process.env = { ...saved, ...variables };
    expect(credentialsFromEnvironment()).toEqual(await fromEnv()());
  });

  it('reads the environment once, as the default chain memoizes its answer', async () => {
    process.env = { ...saved, ...LAMBDA_CREDENTIALS };
    const provider = defaultProvider();
    const first = await provider();
    process.env.AWS_ACCESS_KEY_ID = 'ASIAOTHER';
    expect(await provider()).toBe(first);
  });

  it('reads again credentials that expire within five minutes, as the default chain does', async () => {
    process.env = { ...saved, ...LAMBDA_CREDENTIALS, AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() + 60_000).toISOString() };
    const provider = defaultProvider();
    await provider();
    process.env.AWS_ACCESS_KEY_ID = 'ASIAOTHER';
    expect((await provider()).accessKeyId).toBe('ASIAOTHER');
  });

  it('fails with a message naming the variables when the environment holds no credentials', async () => {
    process.env = { ...saved };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toThrow('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  });
});

describe('bundle substitute for semver', () => {
  const version = fc
    .tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.array(fc.oneof(fc.nat(9).map(String), fc.constantFrom('alpha', 'beta', 'rc')), { minLength: 1, maxLength: 3 }), { nil: undefined }))
    .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre ? `-${pre.join('.')}` : ''}`);

  it('orders versions as semver.gte does', () => {
    fc.assert(fc.property(version, version, (a, b) => gte(a, b) === semver.gte(a, b)));
    expect(gte('2.7.15', '2.7.15')).toBe(true);
    expect(gte('v2.1000.0', '2.7.15')).toBe(true);
    expect(gte('2.7.14', '2.7.15')).toBe(false);
  });

  it('throws on what is not a version, as semver does', () => {
    expect(() => gte('latest', '1.0.0')).toThrow('Invalid Version: latest');
  });
});

describe('function bundle', () => {
  const bundle = () =>
    buildSync({ ...functionBuildOptions({ entry: CHECK_FUNCTION_ENTRY, runtime: 'nodejs22.x', projectRoot: PROJECT_ROOT }), write: false, metafile: true, outfile: 'index.js' });

  it('holds the substitutes instead of the packages they replace', () => {
    const inputs = Object.keys(bundle().metafile.inputs);
    for (const [name, substitute] of Object.entries(BUNDLE_SUBSTITUTES)) {
      expect(inputs).toContain(substitute);
      expect(inputs.filter((input) => input.includes(`node_modules/${name}/`))).toEqual([]);
    }
    // What the SDK's default chain would have brought along.
    expect(inputs.filter((input) => /credential-provider-(ini|sso|process|web-identity|http)|nested-clients|token-providers/.test(input))).toEqual([]);
  });

  it('loads every module with require, never with import(): Node would start its ES module loader for it', () => {
    expect(bundle().outputFiles[0]!.text).not.toMatch(/\bimport\(/);
  });
});
