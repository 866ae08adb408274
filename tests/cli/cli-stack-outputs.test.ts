import * as fs from 'node:fs';
import * as path from 'node:path';
import { useDynalite } from '../support/dynalite';
import { useTempDirs } from '../support/temp-dirs';
import { baseEnv, runCli } from './cli-harness';
import { startFakeLambda, type FakeLambda } from './fake-lambda';

const STACK = 'suspense-test';

const dynamo = useDynalite({ table: 'stack-switches' });
const tempDir = useTempDirs();
let lambda: FakeLambda;
let workDir: string;
let fakeBin: string;

/** A synthesized stack folder whose cdk.tf.json declares `outputs`. */
function writeStack(name: string, outputs: string[]): void {
  fs.mkdirSync(path.join(workDir, 'synth-output', 'stacks', name), { recursive: true });
  const declared = Object.fromEntries(outputs.map((output) => [output, { value: '${aws_x.y.z}' }]));
  fs.writeFileSync(path.join(workDir, 'synth-output', 'stacks', name, 'cdk.tf.json'), JSON.stringify({ output: declared }));
}

/**
 * A project directory (cdktf.json naming its output folder) with synthesized stacks, and a `terraform` on PATH
 * that answers `output -json` with the file named by FAKE_TERRAFORM_OUTPUT and records its arguments.
 */
beforeAll(async () => {
  lambda = await startFakeLambda({ 'stack-check': { payload: '{"statusCode":200}', log: 'START\nEND\n' } });
  workDir = tempDir('suspense-stack-');
  fs.writeFileSync(path.join(workDir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'true', output: 'synth-output' }));
  writeStack(STACK, ['table_name', 'table_arn', 'function_name', 'function_arn']);
  writeStack('suspense-prod', ['table_name', 'table_arn', 'function_name', 'function_arn']);
  writeStack('suspense-state', ['state_bucket_name']);
  fs.mkdirSync(path.join(workDir, 'deep', 'sub', 'folder'), { recursive: true });
  fakeBin = path.join(workDir, 'bin');
  fs.mkdirSync(fakeBin);
  fs.writeFileSync(
    path.join(fakeBin, 'terraform'),
    [
      '#!/bin/sh',
      'printf "%s\\n" "$@" > "$FAKE_TERRAFORM_ARGS"',
      'if [ -n "$FAKE_TERRAFORM_FAIL" ]; then',
      `  printf '╷\\n│ Error: Backend initialization required, please run "terraform init"\\n│\\n│ Reason: Initial configuration of the requested backend "s3"\\n╵\\n' >&2`,
      '  exit 1',
      'fi',
      'cat "$FAKE_TERRAFORM_OUTPUT"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const output = (value: string) => ({ sensitive: false, type: 'string', value });
  fs.writeFileSync(
    path.join(workDir, 'deployed.json'),
    JSON.stringify({
      table_name: output('stack-switches'),
      table_arn: output('arn:aws:dynamodb:eu-central-1:123456789012:table/stack-switches'),
      function_name: output('stack-check'),
      function_arn: output('arn:aws:lambda:eu-central-1:123456789012:function:stack-check'),
    }),
  );
  fs.writeFileSync(path.join(workDir, 'not-deployed.json'), '{}\n');
});

afterAll(() => lambda.stop());

function cliWithTerraform(args: string[], outputs: 'deployed.json' | 'not-deployed.json', env: Record<string, string | undefined> = {}, cwd = workDir) {
  return runCli(args, {
    cwd,
    env: {
      ...baseEnv(dynamo.endpoint),
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
      PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}`,
      FAKE_TERRAFORM_OUTPUT: path.join(workDir, outputs),
      FAKE_TERRAFORM_ARGS: path.join(workDir, 'terraform-args.txt'),
      ...env,
    },
  });
}

describe('suspense CLI: names from the stack outputs (--stack)', () => {
  it('reads table_name with terraform output -json in <cdktf.json output>/stacks/<stack>, ahead of SUSPENSE_TABLE', async () => {
    const result = await cliWithTerraform(['suspend', 'global', '--reason', 'from stack', '--stack', STACK, '--json'], 'deployed.json', {
      SUSPENSE_TABLE: 'some-other-table',
    });

    expect(result).toMatchObject({
      code: 0,
      stderr: `suspense: note: names come from stack ${STACK}, but requests go to ${dynamo.endpoint} (AWS_ENDPOINT_URL_DYNAMODB is set)\n`,
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ switch: 'global', state: 'suspended', version: 1 });
    expect(fs.readFileSync(path.join(workDir, 'terraform-args.txt'), 'utf8').split('\n')).toEqual([
      `-chdir=${path.join(workDir, 'synth-output', 'stacks', STACK)}`,
      'output',
      '-json',
      '-no-color',
      '',
    ]);
    const status = await cliWithTerraform(['status', 'global', '--table', 'stack-switches', '--json'], 'deployed.json');
    expect(JSON.parse(status.stdout)).toMatchObject({ switch: 'global', reason: 'from stack' });
  });

  it('reads function_name for invoke', async () => {
    lambda.invocations.length = 0;

    const result = await cliWithTerraform(['invoke', '--stack', STACK], 'deployed.json');

    expect(result).toMatchObject({
      code: 0,
      stderr: `suspense: note: names come from stack ${STACK}, but requests go to ${lambda.endpoint} (AWS_ENDPOINT_URL_LAMBDA is set)\n`,
    });
    expect(result.stdout.split('\n').slice(0, 2)).toEqual(['Function: stack-check ($LATEST)', 'Status: 200']);
    expect(lambda.invocations.map((i) => i.path)).toEqual(['/2015-03-31/functions/stack-check/invocations']);
  });

  it.each([
    ['status', ['status', 'global', '--stack', STACK, '--json']],
    ['invoke', ['invoke', '--stack', STACK]],
  ])('%s takes the region from the stack\'s ARN output when neither --region nor AWS_REGION says it', async (_command, args) => {
    const withoutRegion = await cliWithTerraform(['list', '--table', 'stack-switches'], 'deployed.json', { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    expect(withoutRegion).toMatchObject({ code: 1, stderr: 'suspense: no AWS region: set AWS_REGION or pass --region\n' });

    const result = await cliWithTerraform(args, 'deployed.json', { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });

    expect(result).toMatchObject({ code: 0, stderr: expect.stringMatching(/^suspense: note: names come from stack suspense-test, but requests go to http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_(DYNAMODB|LAMBDA) is set\)\n$/) });
  });

  it('finds the synthesized stacks from any folder of the project, through cdktf.json', async () => {
    const result = await cliWithTerraform(['list', '--stack', STACK, '--json'], 'deployed.json', {}, path.join(workDir, 'deep', 'sub', 'folder'));

    expect(result.code).toBe(0);
    expect(fs.readFileSync(path.join(workDir, 'terraform-args.txt'), 'utf8').split('\n')[0]).toBe(`-chdir=${path.join(workDir, 'synth-output', 'stacks', STACK)}`);
  });

  it('exits 2 naming the environment stacks when the stack is unknown, having run nothing', async () => {
    fs.rmSync(path.join(workDir, 'terraform-args.txt'), { force: true });

    const result = await cliWithTerraform(['status', '--stack', 'suspense-staging'], 'deployed.json', {}, path.join(workDir, 'deep'));

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`unknown stack "suspense-staging" in ${path.join(workDir, 'synth-output', 'stacks')}; environment stacks: suspense-prod, ${STACK}`);
    expect(fs.existsSync(path.join(workDir, 'terraform-args.txt'))).toBe(false);
  });

  it('exits 2 saying so when the stack is not an environment stack', async () => {
    const result = await cliWithTerraform(['invoke', '--stack', 'suspense-state'], 'deployed.json');

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`stack "suspense-state" is not an environment stack (it has no function_name output); environment stacks: suspense-prod, ${STACK}`);
  });

  it('exits 2 outside any project, saying --stack needs one', async () => {
    const outside = tempDir('suspense-outside-');

    const result = await cliWithTerraform(['list', '--stack', STACK], 'deployed.json', {}, outside);

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`--stack needs the project: no cdktf.json in ${outside} or any folder above it`);
  });

  it('exits 1 with a clear line when the stack has no outputs yet (not deployed)', async () => {
    const result = await cliWithTerraform(['list', '--stack', STACK], 'not-deployed.json');

    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `suspense: stack "${STACK}" has no value for table_name: is it deployed ("cdktf deploy ${STACK}")?\n`,
    });
  });

  it('exits 1 with terraform\'s own error when terraform output fails', async () => {
    const result = await cliWithTerraform(['list', '--stack', STACK], 'deployed.json', { FAKE_TERRAFORM_FAIL: '1' });

    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `suspense: terraform output for stack "${STACK}" failed: Error: Backend initialization required, please run "terraform init" Reason: Initial configuration of the requested backend "s3"\n`,
    });
  });

  it('exits 1 with a clear line when terraform is not installed', async () => {
    const result = await cliWithTerraform(['invoke', '--stack', STACK], 'deployed.json', { PATH: path.join(workDir, 'empty-path') });

    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'suspense: terraform is not installed (not on PATH); it reads --stack outputs: pass the name directly instead\n',
    });
  });
});
