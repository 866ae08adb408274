import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { settingsToEnvironment } from '../functions/switch/schema';
import { partitionOf, type EnvironmentConfig } from './config';
import { AlarmTrips } from './constructs/alarm-trip';
import { NodejsFunction } from './constructs/nodejs-function';
import { SwitchTable } from './constructs/switch-table';
import { useStateBackend, type StateBackendSettings } from './state-backend';

/** The check function's handler module, relative to the repository root. */
export const CHECK_FUNCTION_ENTRY = 'functions/check/handler.ts';

export interface SuspenseStackProps {
  readonly config: EnvironmentConfig;
  readonly state: StateBackendSettings;
}

/** One environment: the switch table, the check function with its role and log group, and their outputs. */
export class SuspenseStack extends TerraformStack {
  readonly table: SwitchTable;
  readonly checkFunction: NodejsFunction;
  /** Present when the config declares trips. */
  readonly trips?: AlarmTrips;

  constructor(scope: Construct, id: string, props: SuspenseStackProps) {
    super(scope, id);
    const { config } = props;
    const partition = partitionOf(config.region);

    useStateBackend(this, id, props.state);
    new AwsProvider(this, 'aws', {
      region: config.region,
      allowedAccountIds: [config.accountId],
      defaultTags: [{ tags: { ...config.tags, project: 'suspense', environment: config.environment, 'managed-by': 'cdktf' } }],
    });

    this.table = new SwitchTable(this, 'switches', {
      tableName: config.tableName,
      accountId: config.accountId,
      region: config.region,
      partition,
      billing: config.billing,
      deletionProtection: config.deletionProtection,
    });

    this.checkFunction = new NodejsFunction(this, 'check', {
      functionName: config.functionName,
      entry: CHECK_FUNCTION_ENTRY,
      accountId: config.accountId,
      region: config.region,
      partition,
      memorySize: config.memorySize,
      timeoutSeconds: config.timeoutSeconds,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      reservedConcurrentExecutions: config.reservedConcurrentExecutions,
      environment: settingsToEnvironment(config.switchSettings),
    });
    this.table.grantRead(this.checkFunction);

    if (config.trips.length > 0) {
      this.trips = new AlarmTrips(this, 'alarm-trips', {
        trips: config.trips,
        table: this.table,
        functionName: config.tripFunctionName,
        accountId: config.accountId,
        region: config.region,
        partition,
        architecture: config.architecture,
        logRetentionDays: config.logRetentionDays,
      });
    }

    const outputs: Record<string, { value: string; description: string }> = {
      table_name: { value: this.table.table.name, description: 'Name of the switch table' },
      table_arn: { value: this.table.table.arn, description: 'ARN of the switch table' },
      function_name: { value: this.checkFunction.function.functionName, description: 'Name of the check function' },
      function_arn: { value: this.checkFunction.function.arn, description: 'ARN of the check function' },
      role_arn: { value: this.checkFunction.role.arn, description: "ARN of the check function's execution role" },
      log_group_name: { value: this.checkFunction.logGroup.name, description: "The check function's log group" },
    };
    if (this.trips) {
      outputs.trip_function_name = { value: this.trips.tripFunction.function.functionName, description: 'Name of the alarm trip function' };
    }
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
  }
}
