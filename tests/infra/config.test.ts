import { environmentConfig, partitionOf } from '../../stacks/config';
import { environments } from '../../stacks/environments';
import { DEFAULT_SETTINGS } from '../../functions/switch/schema';
import { CHECK_FUNCTION_RESERVED_CONCURRENCY, DEFAULT_REGION, FUNCTION_DEFAULTS, TABLE_DEFAULTS } from '../../stacks/defaults';

const base = { environment: 'qa', accountId: '123456789012' };

describe('environment config', () => {
  it('fills in the documented defaults', () => {
    expect(environmentConfig(base)).toEqual({
      environment: 'qa',
      accountId: '123456789012',
      region: DEFAULT_REGION,
      tableName: 'suspense-switches-qa',
      functionName: 'suspense-check-qa',
      memorySize: FUNCTION_DEFAULTS.memorySize,
      timeoutSeconds: FUNCTION_DEFAULTS.timeoutSeconds,
      architecture: FUNCTION_DEFAULTS.architecture,
      logRetentionDays: FUNCTION_DEFAULTS.logRetentionDays,
      reservedConcurrentExecutions: CHECK_FUNCTION_RESERVED_CONCURRENCY,
      deletionProtection: TABLE_DEFAULTS.deletionProtection,
      billing: TABLE_DEFAULTS.billing,
      tags: {},
      switchSettings: DEFAULT_SETTINGS,
      trips: [],
      tripFunctionName: 'suspense-trip-qa',
    });
  });

  it('documents the defaults the proof of concept found', () => {
    expect(FUNCTION_DEFAULTS).toEqual({ runtime: 'nodejs22.x', memorySize: 640, timeoutSeconds: 5, architecture: 'arm64', logRetentionDays: 30 });
    expect(TABLE_DEFAULTS).toEqual({ billing: { mode: 'PAY_PER_REQUEST' }, deletionProtection: false });
  });

  it('protects prod from deletion and keeps its logs longer', () => {
    const [dev, prod] = environments({ SUSPENSE_ALLOW_PLACEHOLDERS: 'test' });
    expect([dev.deletionProtection, prod.deletionProtection]).toEqual([false, true]);
    expect([dev.logRetentionDays, prod.logRetentionDays]).toEqual([30, 90]);
  });

  it('takes account IDs and regions from the environment', () => {
    const [dev, prod] = environments({ SUSPENSE_DEV_ACCOUNT_ID: '000000000001', SUSPENSE_PROD_ACCOUNT_ID: '000000000002', SUSPENSE_PROD_REGION: 'us-east-1' });
    expect([dev.accountId, prod.accountId, prod.region]).toEqual(['000000000001', '000000000002', 'us-east-1']);
  });

  it('requires the environments\' account variables, naming each one missing', () => {
    expect(() => environments({})).toThrow('missing SUSPENSE_DEV_ACCOUNT_ID, SUSPENSE_PROD_ACCOUNT_ID:');
  });

  it.each([
    [{ accountId: '1234' }, 'environment "qa": accountId must be 12 digits, got "1234"'],
    [{ region: 'mars-1' }, 'environment "qa": region is not an AWS region: "mars-1"'],
    [{ region: 'eu-west-9' }, 'environment "qa": region is not an AWS region: "eu-west-9" (stacks/aws-regions.ts lists them)'],
    [{ reservedConcurrentExecutions: 0 }, 'environment "qa": reservedConcurrentExecutions must be a whole number of at least 1'],
    [{ memorySize: 64 }, 'environment "qa": memorySize must be a whole number of MB from 128 to 10240'],
    [{ timeoutSeconds: 0 }, 'environment "qa": timeoutSeconds must be a whole number from 1 to 900'],
    [{ logRetentionDays: 10 }, 'environment "qa": logRetentionDays must be one of 1, 3, 5, 7, 14, 30'],
    [{ billing: { mode: 'PROVISIONED', readCapacity: 0, writeCapacity: 1 } }, 'billing PROVISIONED needs whole readCapacity and writeCapacity of at least 1'],
    [{ tags: { project: 'other' } }, 'tags must not set "project": the stack sets it'],
    [{ functionName: 'has spaces' }, 'functionName must be 1-64 of A-Z a-z 0-9 _ -'],
    [{ switchSettings: { defaultSwitch: 'no spaces allowed' } }, 'switchSettings.defaultSwitch must match /^[A-Za-z0-9._-]{1,64}$/, got "no spaces allowed"'],
    [{ switchSettings: { failMode: 'banana' } }, 'switchSettings.failMode must be "open" or "closed", got "banana"'],
    [{ switchSettings: { maxAttempts: 0 } }, 'switchSettings.maxAttempts must be a whole number from 1 to 10, got 0'],
    [{ switchSettings: { cacheTtlSeconds: -1 } }, 'switchSettings.cacheTtlSeconds must be a number from 0 to 3600, got -1'],
    [{ timeoutSeconds: 1, switchSettings: { requestTimeoutMs: 400, maxAttempts: 3 } }, 'allow a read of up to 1400 ms, which must stay under half the 1 s timeout'],
  ])('rejects %j', (override, message) => {
    expect(() => environmentConfig({ ...base, ...(override as object) })).toThrow(message);
  });

  it('keeps a default when a field is given as undefined', () => {
    const config = environmentConfig({ ...base, billing: undefined, memorySize: undefined, switchSettings: { failMode: undefined } });
    expect([config.billing, config.memorySize, config.switchSettings.failMode]).toEqual([TABLE_DEFAULTS.billing, FUNCTION_DEFAULTS.memorySize, 'open']);
  });

  it('supports low provisioned capacity, as the proof of concept ran', () => {
    expect(environmentConfig({ ...base, billing: { mode: 'PROVISIONED', readCapacity: 1, writeCapacity: 1 } }).billing).toEqual({
      mode: 'PROVISIONED',
      readCapacity: 1,
      writeCapacity: 1,
    });
  });

  it('knows the ARN partition of a region', () => {
    expect([partitionOf('eu-west-1'), partitionOf('cn-north-1'), partitionOf('us-gov-west-1'), partitionOf('eusc-de-east-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc']);
    expect(() => partitionOf('eu-west-9')).toThrow('"eu-west-9" is not an AWS region');
  });
});
