/**
 * Issue 13, least privilege on the shared State table and the queues: each workflow function reaches only its
 * own partition keys (`dynamodb:LeadingKeys`), and sends only to the queues its code sends to.
 * The local runtime applies the same LeadingKeys patterns to every State-table request (local/leading-keys-guard.ts)
 * and the same queues to every send (local/send-message-guard.ts), so the e2e suites prove the keys the stores build
 * and the queues the code sends to fall under them; this proves the grants, against lists written out here.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { functionsOf, PROCESSOR_ID, ROUTES, WORKFLOWS } from '../../shared/topology';

type Resource = { Type: string; Properties: Record<string, any> };

const stage = 'dev';
const app = new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } });
const resources = Template.fromStack(buildApp(stage, app).stack).toJSON().Resources as Record<
  string,
  Resource
>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalIdOf = (value: unknown): string | undefined =>
  (value as any)?.['Fn::GetAtt']?.[0] ?? (value as any)?.Ref;

const stateTableId = ofType('AWS::DynamoDB::Table').find(([id]) => id.startsWith('StateTable'))![0];
const queueIds = ofType('AWS::SQS::Queue').map(([id]) => id);

const lambdaWhoseEnv = (has: (env: Record<string, unknown>) => boolean) =>
  ofType('AWS::Lambda::Function').find(([, f]) => has(f.Properties.Environment?.Variables ?? {}))![1];

/** The IAM statements of a workflow function's role, found by its WORKFLOW and WORKFLOW_FUNCTION. */
function statementsOf(workflow: string, fn: string) {
  const lambda = lambdaWhoseEnv((env) => env.WORKFLOW === workflow && env.WORKFLOW_FUNCTION === fn);
  const statements = statementsOfRole(lambda);
  const env = lambda.Properties.Environment.Variables;
  const on = (id: string) => statements.filter((s) => JSON.stringify(s.Resource).includes(`"${id}"`));
  return { statements, on, queueId: logicalIdOf(env.QUEUE_URL)!, dlqId: logicalIdOf(env.DLQ_URL)! };
}

function statementsOfRole(lambda: Resource): any[] {
  const role = logicalIdOf(lambda.Properties.Role);
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: unknown) => logicalIdOf(r) === role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
}

/** The queues a role's statements allow sqs:SendMessage on, by logical id. */
const queuesSentToIn = (statements: any[]) =>
  statements
    .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
    .flatMap((s) => [s.Resource].flat().map(logicalIdOf))
    .filter((id): id is string => queueIds.includes(id!));

/** Its own OAuth client's token (decision 0013), its vendor's rate-limit buckets. */
const genesys = (client: string) => [`TOKEN#genesys#${client}#*`, 'RATELIMIT#genesys*'];
const cxone = ['TOKEN#cxone#shift-bids#*', 'RATELIMIT#cxone*'];
/** Written out, not derived: what each function's code reads and writes (shared/tables.ts STATE_KEY). */
const EXPECTED: Record<string, { leadingKeys: string[]; scan?: true; sendsTo: ('queue' | 'dlq')[] }> = {
  'shift-overrides/processor': {
    leadingKeys: ['TIMEOFF#*', 'LOCK#timeoff#*', ...genesys('shift-overrides')],
    sendsTo: ['queue', 'dlq'],
  },
  'adherence-sync/processor': {
    leadingKeys: ['AGENT#*', 'LOCK#agent#*', ...genesys('adherence-sync')],
    sendsTo: ['queue', 'dlq'],
  },
  'adherence-sync/adherence-reconciliation': {
    leadingKeys: ['AGENT#*', 'LOCK#agent#*', ...genesys('adherence-sync')],
    scan: true,
    sendsTo: [],
  },
  'shift-bids/processor': {
    leadingKeys: ['BID#*', 'BIDAWARD#*', 'SCHEDULE#*', 'EVENT#*', 'LOCK#bid-claim#*', ...cxone],
    sendsTo: ['queue', 'dlq'],
  },
  'shift-bids/shift-bids-sweep': { leadingKeys: ['BID#*', 'BIDS#SWEEP', ...cxone], sendsTo: ['queue'] },
  'reward-triggers/processor': {
    leadingKeys: ['REWARDS#*', 'TOKEN#rewards#reward-triggers#*', 'RATELIMIT#rewards*'],
    sendsTo: ['queue', 'dlq'],
  },
  'reward-triggers/reward-export-ingestion': {
    leadingKeys: ['REWARDS#*', 'REWARDS#INGESTION', 'REWARDS#INGESTION-RUN#*', ...genesys('reward-triggers')],
    sendsTo: ['queue'],
  },
};

const FUNCTIONS = WORKFLOWS.flatMap((w) => functionsOf(w).map((f) => `${w.name}/${f.id}`));

describe('State table and queue grants of each workflow function', () => {
  it('covers every function of the topology', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...FUNCTIONS].sort());
  });

  it.each(FUNCTIONS)('%s: item access only under its own partition keys, Scan only if it lists', (name) => {
    const [workflow, fn] = name.split('/') as [string, string];
    const expected = EXPECTED[name]!;
    const onState = statementsOf(workflow, fn).on(stateTableId);
    const items = onState.filter((s) => [s.Action].flat().includes('dynamodb:GetItem'));
    expect(items).toHaveLength(1);
    const [statement] = items;
    expect([statement.Action].flat().sort()).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    expect(statement.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
    expect([...statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']].sort()).toEqual(
      [...expected.leadingKeys].sort(),
    );
    // Nothing else on the table, unconditioned, but the lister's Scan.
    const others = onState.filter((s) => s !== statement);
    expect(others.map((s) => [[s.Action].flat(), s.Condition])).toEqual(
      expected.scan ? [[['dynamodb:Scan'], undefined]] : [],
    );
  });

  it.each(FUNCTIONS)('%s: SendMessage only to the queues its code sends to', (name) => {
    const [workflow, fn] = name.split('/') as [string, string];
    const { statements, queueId, dlqId } = statementsOf(workflow, fn);
    const sendsTo = queuesSentToIn(statements).map((id) =>
      id === queueId ? 'queue' : id === dlqId ? 'dlq' : id,
    );
    expect(sendsTo.sort()).toEqual([...EXPECTED[name]!.sendsTo].sort());
    if (fn === PROCESSOR_ID) expect(sendsTo).toContain('dlq');
  });
});

describe('Queue grant of the ingress', () => {
  it('sends only to the queue and the DLQ of every workflow with a webhook route', () => {
    // As local/send-message-guard.ts enforces it on every e2e run.
    const ingress = lambdaWhoseEnv((env) => env.INGRESS_ROUTES !== undefined);
    const routedWorkflows = [...new Set(ROUTES.map((r) => r.workflow))];
    // Written out: reward-triggers is fed by its export ingestion (a schedule), not by a webhook.
    expect(routedWorkflows.sort()).toEqual(['adherence-sync', 'shift-bids', 'shift-overrides']);
    const routed = routedWorkflows.flatMap((w) => {
      const { queueId, dlqId } = statementsOf(w, PROCESSOR_ID);
      return [queueId, dlqId];
    });
    expect([...new Set(queuesSentToIn(statementsOfRole(ingress)))].sort()).toEqual(routed.sort());
  });
});
