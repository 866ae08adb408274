import type { TerraformStack } from 'cdktf';
import { synthTestStack } from '../support/synth';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { NodejsFunction } from '../../stacks/constructs/nodejs-function';
import { SwitchTable } from '../../stacks/constructs/switch-table';
import { ENV } from '../../functions/switch/schema';
import { FUNCTION_DEFAULTS, TABLE_DEFAULTS } from '../../stacks/defaults';

const where = { accountId: '123456789012', region: 'us-east-1', partition: 'aws' };

function synthJson(build: (stack: TerraformStack) => void): Record<string, any> {
  return synthTestStack((stack) => {
    new AwsProvider(stack, 'aws', { region: where.region });
    build(stack);
  });
}

describe('SwitchTable', () => {
  it('grants another team\'s function read access and sets its table variable in one call', () => {
    const json = synthJson((stack) => {
      const table = new SwitchTable(stack, 'switches', { ...where, tableName: 'shared-switches' });
      const orders = new NodejsFunction(stack, 'orders', { ...where, functionName: 'orders-api', entry: 'functions/check/handler.ts' });
      table.grantRead(orders);
    });
    const policies = Object.values(json.resource.aws_iam_role_policy) as Array<Record<string, string>>;
    const read = policies.find((p) => p.name === 'shared-switches-read')!;
    expect(JSON.parse(read.policy).Statement).toEqual([
      { Sid: 'ReadSwitches', Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/shared-switches'] },
    ]);
    const roleId = Object.keys(json.resource.aws_iam_role)[0];
    expect(read.role).toBe('${aws_iam_role.' + roleId + '.name}');
    const fn = Object.values(json.resource.aws_lambda_function)[0] as Record<string, any>;
    expect(fn.environment.variables[ENV.table]).toBe('shared-switches');
    const readId = Object.entries(json.resource.aws_iam_role_policy).find(([, p]) => (p as any).name === 'shared-switches-read')![0];
    expect(fn.depends_on).toContain(`aws_iam_role_policy.${readId}`);
  });

  it('can run on low provisioned capacity, as the proof of concept did', () => {
    const json = synthJson((stack) => {
      new SwitchTable(stack, 'switches', { ...where, tableName: 'pc', billing: { mode: 'PROVISIONED', readCapacity: 1, writeCapacity: 1 } });
    });
    expect(Object.values(json.resource.aws_dynamodb_table)[0]).toMatchObject({ billing_mode: 'PROVISIONED', read_capacity: 1, write_capacity: 1 });
  });
});

describe('NodejsFunction', () => {
  it('applies the documented defaults, reserving no concurrency unless told', () => {
    const json = synthJson((stack) => {
      new NodejsFunction(stack, 'fn', { ...where, functionName: 'fn', entry: 'functions/check/handler.ts' });
      new SwitchTable(stack, 'switches', { ...where, tableName: 'defaults' });
    });
    const fn = Object.values(json.resource.aws_lambda_function)[0] as Record<string, unknown>;
    expect(fn).toMatchObject({
      runtime: FUNCTION_DEFAULTS.runtime,
      memory_size: FUNCTION_DEFAULTS.memorySize,
      timeout: FUNCTION_DEFAULTS.timeoutSeconds,
      architectures: [FUNCTION_DEFAULTS.architecture],
    });
    expect(fn).not.toHaveProperty('reserved_concurrent_executions');
    expect(Object.values(json.resource.aws_cloudwatch_log_group)[0]).toMatchObject({ retention_in_days: FUNCTION_DEFAULTS.logRetentionDays });
    expect(Object.values(json.resource.aws_dynamodb_table)[0]).toMatchObject({
      billing_mode: TABLE_DEFAULTS.billing.mode,
      deletion_protection_enabled: TABLE_DEFAULTS.deletionProtection,
    });
  });

  it('reserves the concurrency it is given', () => {
    const json = synthJson((stack) => {
      new NodejsFunction(stack, 'fn', { ...where, functionName: 'fn', entry: 'functions/check/handler.ts', reservedConcurrentExecutions: 25 });
    });
    expect(Object.values(json.resource.aws_lambda_function)[0]).toMatchObject({ reserved_concurrent_executions: 25 });
  });

  it.each([0, -1, 2.5])('refuses reserved concurrency %p at construction, naming the function', (reserved) => {
    synthJson((stack) => {
      expect(() => new NodejsFunction(stack, 'fn', { ...where, functionName: 'trip', entry: 'functions/check/handler.ts', reservedConcurrentExecutions: reserved })).toThrow(
        `NodejsFunction trip: reservedConcurrentExecutions must be a whole number of at least 1, got ${reserved}`,
      );
    });
  });

  it("refuses an environment over Lambda's 4096 bytes (names and values, UTF-8) at construction, naming the function and each variable's size", () => {
    synthJson((stack) => {
      const fits = new NodejsFunction(stack, 'fits', { ...where, functionName: 'fits', entry: 'functions/check/handler.ts', environment: { A: 'x'.repeat(4092), B: 'é' } });
      expect(() => new NodejsFunction(stack, 'over', { ...where, functionName: 'over', entry: 'functions/check/handler.ts', environment: { A: 'x'.repeat(4092), B: 'éé' } })).toThrow(
        "NodejsFunction over: its environment variables would take 4098 bytes (names and values, UTF-8), over Lambda's limit of 4096 (the apply would fail): A 4093, B 5",
      );
      expect(() => fits.addEnvironment('C', '')).toThrow('NodejsFunction fits: its environment variables would take 4097 bytes');
    });
  });

  it('rejects an environment variable name Lambda would reject', () => {
    synthJson((stack) => {
      const fn = new NodejsFunction(stack, 'fn', { ...where, functionName: 'fn', entry: 'functions/check/handler.ts' });
      expect(() => fn.addEnvironment('1BAD', 'x')).toThrow('invalid environment variable name "1BAD"');
    });
  });

  it('fails synth with esbuild\'s message when the entry does not build', () => {
    expect(() =>
      synthJson((stack) => new NodejsFunction(stack, 'fn', { ...where, functionName: 'fn', entry: 'functions/does-not-exist.ts' })),
    ).toThrow(/Could not resolve "functions\/does-not-exist.ts"|does-not-exist/);
  });
});
