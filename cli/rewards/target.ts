/**
 * Where `rewards ingest` runs the ingestion function: in the local runtime through its schedule control
 * (`POST /_local/schedules/reward-export-ingestion/run` with the request as the payload), in a deployed stage
 * by Lambda Invoke of the function named by the stack output `RewardExportIngestionFunctionName`. Either way
 * the function's progress is read from the State table while the invocation is in flight.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readIngestionProgress } from '../../shared/adapters/aws/ingestion-progress-store';
import { scheduleFunctionOutputName, STACK_OUTPUTS } from '../../shared/config/resource-names';
import type { IngestionRequest, IngestionSummary } from '../../shared/domain/reward-triggers/ingest';
import type { IngestionProgressReport } from '../../shared/domain/reward-triggers/ports';
import { CliError, explainAwsError, localOutputs, stackOutputs, type TargetOptions } from '../dlq/target';

export const INGESTION_SCHEDULE_ID = 'reward-export-ingestion';

/** A run the function refused or that failed: its message names the reason (e.g. days not loaded). */
export class IngestionRunFailed extends Error {}

export interface IngestionTarget {
  readonly label: string;
  invoke(request: IngestionRequest): Promise<IngestionSummary>;
  progress(runId: string): Promise<IngestionProgressReport | undefined>;
}

export async function resolveIngestionTarget(opts: TargetOptions): Promise<IngestionTarget> {
  if (opts.local || opts.localUrl) {
    const out = await localOutputs(opts.localUrl);
    const aws = { region: out.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...aws, endpoint: out.endpoints.dynamodb }));
    const url = `${out.gatewayUrl}/_local/schedules/${INGESTION_SCHEDULE_ID}/run`;
    return {
      label: 'local',
      invoke: async (request) => {
        const res = await fetch(url, { method: 'POST', body: JSON.stringify(request) }).catch(() => {
          throw new CliError(`Cannot reach ${url}: is \`npm start\` running?`);
        });
        const body = (await res.json()) as { result?: IngestionSummary; message?: string };
        if (!res.ok || !body.result) throw new IngestionRunFailed(body.message ?? `HTTP ${res.status}`);
        return body.result;
      },
      progress: (runId) => readIngestionProgress(doc, out.tables.State!, runId),
    };
  }
  const { stage, stack, outputs } = await stackOutputs(opts.stage);
  const functionName = outputs[scheduleFunctionOutputName(INGESTION_SCHEDULE_ID)];
  const stateTable = outputs[STACK_OUTPUTS.stateTable];
  if (!functionName || !stateTable)
    throw new CliError(
      `Stack ${stack} has no output ${scheduleFunctionOutputName(INGESTION_SCHEDULE_ID)}; is it deployed from this version?`,
    );
  const lambda = new LambdaClient({});
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    label: stage,
    invoke: async (request) => {
      const res = await lambda
        .send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(request)),
          }),
        )
        .catch((err: Error) => {
          throw explainAwsError(err, `invoking ${functionName}`);
        });
      const payload = JSON.parse(new TextDecoder().decode(res.Payload ?? new Uint8Array())) as unknown;
      if (res.FunctionError) {
        const { errorMessage } = (payload ?? {}) as { errorMessage?: string };
        throw new IngestionRunFailed(errorMessage ?? res.FunctionError);
      }
      return payload as IngestionSummary;
    },
    progress: (runId) =>
      readIngestionProgress(doc, stateTable, runId).catch((err: Error) => {
        throw explainAwsError(err, `reading the run's progress in ${stateTable}`);
      }),
  };
}
