import { Construct, type IConstruct } from 'constructs';
import type { TerraformResource } from 'cdktf';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ENV, SWITCH_KEY } from '../../functions/switch/schema';
import type { TableBilling } from '../config';
import { TABLE_DEFAULTS } from '../defaults';

export interface SwitchTableProps {
  readonly tableName: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** @default TABLE_DEFAULTS.billing ({ mode: 'PAY_PER_REQUEST' }) */
  readonly billing?: TableBilling;
  /** DynamoDB deletion protection plus Terraform `prevent_destroy`. @default TABLE_DEFAULTS.deletionProtection (false) */
  readonly deletionProtection?: boolean;
}

/** Something that runs with a role and reads its settings from environment variables: a Lambda function. */
export interface SwitchReader extends IConstruct {
  /** The role the reader runs as. */
  readonly role: IamRole;
  addEnvironment(name: string, value: string): void;
  /** Makes the reader wait for `dependency` (a policy it needs at its first invocation). */
  addDependency(dependency: TerraformResource): void;
}

/** The switch table: one item per switch, keyed as functions/switch/schema.ts says. */
export class SwitchTable extends Construct {
  readonly table: DynamodbTable;
  readonly tableName: string;
  /**
   * The table's ARN, spelled from known values rather than read from the resource, so that policies that name
   * it are known at plan time and a pull request's plan shows them in full.
   */
  readonly tableArn: string;

  constructor(scope: Construct, id: string, props: SwitchTableProps) {
    super(scope, id);
    const billing: TableBilling = props.billing ?? TABLE_DEFAULTS.billing;
    const deletionProtection = props.deletionProtection ?? TABLE_DEFAULTS.deletionProtection;
    this.tableName = props.tableName;
    this.tableArn = `arn:${props.partition}:dynamodb:${props.region}:${props.accountId}:table/${props.tableName}`;
    this.table = new DynamodbTable(this, 'table', {
      name: props.tableName,
      hashKey: SWITCH_KEY.name,
      attribute: [{ name: SWITCH_KEY.name, type: SWITCH_KEY.type }],
      billingMode: billing.mode,
      ...(billing.mode === 'PROVISIONED' ? { readCapacity: billing.readCapacity, writeCapacity: billing.writeCapacity } : {}),
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: deletionProtection,
      lifecycle: { preventDestroy: deletionProtection },
    });
  }

  /**
   * Lets `reader` check switches: read-only access to this table only (GetItem), and the table's name in the
   * reader's environment. One call does both, so the variable and the permission can never disagree.
   */
  grantRead(reader: SwitchReader): IamRolePolicy {
    return this.grant(reader, 'read', { Sid: 'ReadSwitches', Action: ['dynamodb:GetItem'] });
  }

  /**
   * Lets `writer` change switches as the switch library does (functions/switch/switch-writes.ts: a consistent
   * GetItem, then an UpdateItem conditional on the version read) and nothing more: no PutItem, DeleteItem or Scan.
   * Sets the table's name in the writer's environment in the same call, as grantRead does.
   */
  grantReadWrite(writer: SwitchReader): IamRolePolicy {
    return this.grant(writer, 'read-write', { Sid: 'ChangeSwitches', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] });
  }

  private grant(grantee: SwitchReader, access: string, statement: { Sid: string; Action: string[] }): IamRolePolicy {
    const policy = new IamRolePolicy(this, `${access}-${grantee.node.id}`, {
      name: `${this.tableName}-${access}`,
      role: grantee.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: statement.Sid, Effect: 'Allow', Action: statement.Action, Resource: [this.tableArn] }],
      }),
    });
    grantee.addEnvironment(ENV.table, this.tableName);
    grantee.addDependency(policy);
    return policy;
  }
}
