/**
 * Where the queues are: a deployed stage's CloudFormation outputs (`--stage dev`) or the local runtime's
 * outputs (`--local`). Operators never paste URLs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STACK_OUTPUTS, stackName, stackOutputNames } from '../../shared/config/resource-names';
import { STAGES } from '../../shared/config/stage';
import { WORKFLOWS } from '../../shared/topology';

export interface WorkflowQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface Target {
  readonly label: string;
  readonly sqs: SQSClient;
  readonly doc: DynamoDBDocumentClient;
  readonly auditTable: string;
  readonly workflows: Readonly<Record<string, WorkflowQueues>>;
  readonly operator: () => Promise<string>;
}

export class CliError extends Error {}

export interface TargetOptions {
  readonly stage?: string;
  readonly local?: boolean;
  readonly localUrl?: string;
}

export const LOCAL_OUTPUTS_FILE = resolve(__dirname, '..', '..', '.local', 'outputs.json');

export interface LocalOutputs {
  region: string;
  gatewayUrl: string;
  endpoints: { sqs: string; dynamodb: string };
  workflows: Record<string, WorkflowQueues>;
  tables: Record<string, string>;
}

export async function localOutputs(url?: string): Promise<LocalOutputs> {
  if (url) {
    const res = await fetch(`${url.replace(/\/$/, '')}/_local/outputs`).catch(() => undefined);
    if (!res?.ok) throw new CliError(`Cannot read ${url}/_local/outputs: is \`npm start\` running there?`);
    return (await res.json()) as LocalOutputs;
  }
  if (!existsSync(LOCAL_OUTPUTS_FILE)) {
    throw new CliError(
      `No local runtime outputs at ${LOCAL_OUTPUTS_FILE}: start it with \`npm start\` first.`,
    );
  }
  return JSON.parse(readFileSync(LOCAL_OUTPUTS_FILE, 'utf8')) as LocalOutputs;
}

export async function resolveTarget(opts: TargetOptions): Promise<Target> {
  if (opts.local || opts.localUrl) {
    const out = await localOutputs(opts.localUrl);
    const aws = { region: out.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    return {
      label: 'local',
      sqs: new SQSClient({ ...aws, endpoint: out.endpoints.sqs }),
      doc: DynamoDBDocumentClient.from(new DynamoDBClient({ ...aws, endpoint: out.endpoints.dynamodb })),
      auditTable: out.tables.Audit!,
      workflows: out.workflows,
      operator: async () => `local:${userInfo().username}`,
    };
  }
  const { stage, stack, outputs } = await stackOutputs(opts.stage);
  const workflows: Record<string, WorkflowQueues> = {};
  for (const w of WORKFLOWS) {
    const names = stackOutputNames(w.name);
    if (!outputs[names.dlqUrl])
      throw new CliError(`Stack ${stack} has no output ${names.dlqUrl}; is it deployed from this version?`);
    workflows[w.name] = {
      queueUrl: outputs[names.queueUrl]!,
      queueArn: outputs[names.queueArn]!,
      dlqUrl: outputs[names.dlqUrl]!,
      dlqArn: outputs[names.dlqArn]!,
    };
  }
  return {
    label: stage,
    sqs: new SQSClient({}),
    doc: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    auditTable: outputs[STACK_OUTPUTS.auditTable]!,
    workflows,
    operator: async () => {
      const id = await new STSClient({}).send(new GetCallerIdentityCommand({})).catch(() => undefined);
      return id?.Arn ?? `unknown:${userInfo().username}`;
    },
  };
}

/** A deployed stage's CloudFormation outputs, by output name. */
export async function stackOutputs(stage: string | undefined) {
  if (!stage) throw new CliError('Say where: --stage <stage> (deployed) or --local (npm start).');
  if (!STAGES[stage])
    throw new CliError(`Unknown stage "${stage}"; stages: ${Object.keys(STAGES).join(', ')}.`);
  const cfn = new CloudFormationClient({});
  const stack = stackName(stage);
  const described = await cfn.send(new DescribeStacksCommand({ StackName: stack })).catch((err: Error) => {
    throw explainAwsError(err, `reading the outputs of stack ${stack}`);
  });
  const outputs: Record<string, string | undefined> = Object.fromEntries(
    (described.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]),
  );
  return { stage, stack, outputs };
}

export function workflowQueues(target: Target, workflow: string): WorkflowQueues {
  const queues = target.workflows[workflow];
  if (!queues) {
    throw new CliError(
      `Unknown workflow "${workflow}"; workflows: ${Object.keys(target.workflows).join(', ')}.`,
    );
  }
  return queues;
}

/** Turns AWS authorization failures into one line naming the denied action. */
export function explainAwsError(err: Error, doing: string): Error {
  const denied = /not authorized to perform:?\s*([\w:-]+)/i.exec(err.message);
  if (denied || /AccessDenied/i.test(err.name)) {
    return new CliError(
      `Access denied while ${doing}: missing permission ${denied?.[1] ?? err.name}. ${err.message}`,
    );
  }
  if (/Could not load credentials|CredentialsProviderError/i.test(`${err.name} ${err.message}`)) {
    return new CliError(
      `No AWS credentials while ${doing}: set AWS_PROFILE or credentials (standard AWS chain).`,
    );
  }
  return err;
}
