import { Duration, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { HANDLER_BUNDLE } from '../../shared/config/handler-bundle';
import type { FunctionDeclaration } from '../../shared/topology';

const REPO_ROOT = path.resolve(__dirname, '../..');

export interface WfmFunctionProps<Env extends Record<string, string | undefined>> {
  readonly declaration: FunctionDeclaration;
  /** Typed from the function's zod env schema (shared/config/function-env.ts): a missing variable does not compile. */
  readonly environment: Env;
  readonly logRetentionDays: number;
  /** Deterministic, so the runbook can name it (shared/config/resource-names.ts `functionLogGroupName`). */
  readonly logGroupName: string;
  readonly description: string;
}

/**
 * A Lambda function with this project's secure defaults: newest Node runtime, ARM64, local esbuild bundle
 * (never Docker), X-Ray active tracing, its own named log group with a retention, JSON logs.
 */
export class WfmFunction<Env extends Record<string, string | undefined>> extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: WfmFunctionProps<Env>) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: props.logRetentionDays as logs.RetentionDays,
    });
    const environment = Object.fromEntries(
      Object.entries(props.environment).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.declaration.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.declaration.memoryMb,
      timeout: Duration.seconds(props.declaration.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      description: props.description,
      environment,
      bundling: {
        // shared/config/handler-bundle.ts: the options the local runtime and the ingress bench bundle with.
        forceDockerBundling: false,
        minify: HANDLER_BUNDLE.minify,
        sourceMap: true,
        target: HANDLER_BUNDLE.target,
        format: OutputFormat.CJS,
        mainFields: [...HANDLER_BUNDLE.mainFields],
        externalModules: [...HANDLER_BUNDLE.external],
      },
    });
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWS-maintained minimum for writing logs; every other permission is granted per resource.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Never invoked asynchronously by an event source without its own DLQ: API Gateway and SQS invoke synchronously, EventBridge Scheduler has a DLQ on its target.',
      },
    );
  }
}
