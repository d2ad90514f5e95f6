/**
 * IAM's `dynamodb:LeadingKeys` condition on the State table, enforced locally (issue 13) by a grant guard
 * (local/grant-guard.ts) in front of DynamoDB Local: a request that touches a State-table partition key outside
 * the function's `stateKeysOf` patterns, or scans the table without `scansStateTable`, is refused and recorded, so
 * an e2e run fails on a store whose keys its grant does not cover. The ingress's grant is the replay guard's:
 * PutItem and DeleteItem on the WebhookNonces table, and nothing else.
 */
import { isIngress, startGrantGuard, type GrantGuard } from './grant-guard';
import { TABLES } from '../shared/tables';
import { stateKeysOf, workflowFunction } from '../shared/topology';

const STATE_PARTITION_KEY = TABLES.find((t) => t.id === 'State')!.partitionKey;

type AttributeValue = { S?: string };
type Item = Record<string, AttributeValue>;
/** The parts of a DynamoDB JSON request body read here. */
interface RequestBody {
  TableName?: string;
  Key?: Item;
  Item?: Item;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Record<string, { TableName: string; Key?: Item; Item?: Item }>[];
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** What a DynamoDB JSON request does to the State table: the partition keys it names, and whether it scans. */
export interface StateTableAccess {
  readonly partitionKeys: readonly string[];
  readonly scan: boolean;
}

/** The State-table partition keys a DynamoDB JSON-protocol request touches (`action` from `X-Amz-Target`). */
export function stateTableAccess(action: string, body: unknown, stateTable: string): StateTableAccess {
  const b = (body ?? {}) as RequestBody;
  const keys: string[] = [];
  const isState = (table: unknown) => table === stateTable || String(table).endsWith(`/${stateTable}`);
  const add = (table: unknown, item: Item | undefined) => {
    if (!isState(table)) return;
    const value = item?.[STATE_PARTITION_KEY]?.S;
    // A request without the key is denied by the grant's Null condition: recorded as an empty key.
    keys.push(value ?? '');
  };
  switch (action) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      add(b.TableName, b.Key);
      break;
    case 'PutItem':
      add(b.TableName, b.Item);
      break;
    case 'BatchGetItem':
      for (const [table, spec] of Object.entries(b.RequestItems ?? {}))
        for (const key of (spec as { Keys?: Item[] }).Keys ?? []) add(table, key);
      break;
    case 'BatchWriteItem':
      for (const [table, writes] of Object.entries(b.RequestItems ?? {}))
        for (const w of writes as { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[])
          add(table, w.PutRequest?.Item ?? w.DeleteRequest?.Key);
      break;
    case 'TransactWriteItems':
    case 'TransactGetItems':
      for (const op of b.TransactItems ?? [])
        for (const inner of Object.values(op)) add(inner.TableName, inner.Key ?? inner.Item);
      break;
    case 'Query':
      if (isState(b.TableName)) keys.push(queriedPartitionKey(b) ?? '');
      break;
    case 'Scan':
      return { partitionKeys: [], scan: isState(b.TableName) };
  }
  return { partitionKeys: keys, scan: false };
}

/** The partition-key value of a Query's `KeyConditionExpression` (`pk = :v` or `#n = :v`). */
function queriedPartitionKey(b: RequestBody): string | undefined {
  const names = b.ExpressionAttributeNames ?? {};
  const values = b.ExpressionAttributeValues ?? {};
  for (const m of String(b.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const name = m[1]!.startsWith('#') ? names[m[1]!] : m[1];
    if (name === STATE_PARTITION_KEY) return values[m[2]!]?.S;
  }
  return undefined;
}

/** IAM's StringLike: `*` any run of characters, `?` one. */
export function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
}

/** Why the function's grant refuses this access, or undefined when it allows it. */
export function refusal(workflow: string, fnId: string, access: StateTableAccess): string | undefined {
  const declared = workflowFunction(workflow, fnId);
  if (access.scan && !declared.scansStateTable)
    return 'Scan on the State table (not declared scansStateTable)';
  const patterns = stateKeysOf(declared);
  const outside = access.partitionKeys.filter((k) => !patterns.some((p) => stringLike(p, k)));
  return outside.length > 0
    ? `partition keys outside its dynamodb:LeadingKeys: ${outside.join(', ')}`
    : undefined;
}

/** The actions the stack grants the ingress on the replay guard's table (a conditional put, a delete). */
const INGRESS_NONCE_ACTIONS = ['PutItem', 'DeleteItem'];

/** Why the ingress's grant refuses this request, or undefined when it allows it. */
export function ingressRefusal(action: string, body: unknown, nonceTable: string): string | undefined {
  const table = String((body as { TableName?: unknown } | null)?.TableName ?? '');
  const onNonces = table === nonceTable || table.endsWith(`/${nonceTable}`);
  if (onNonces && INGRESS_NONCE_ACTIONS.includes(action)) return undefined;
  return `${action} on ${table || 'no single table'} is outside its grant (${INGRESS_NONCE_ACTIONS.join(', ')} on ${nonceTable})`;
}

export type LeadingKeysGuard = GrantGuard;

/**
 * Starts the guard in front of DynamoDB Local (`target`), for the State table and the replay guard's table
 * (WebhookNonces) named in `tables`.
 */
export function startLeadingKeysGuard(
  target: string,
  tables: { readonly state: string; readonly webhookNonces: string },
): Promise<LeadingKeysGuard> {
  return startGrantGuard(target, 'dynamodb', (workflow, fnId, action, body) => {
    if (isIngress(workflow, fnId)) return ingressRefusal(action, body, tables.webhookNonces);
    const reason = refusal(workflow, fnId, stateTableAccess(action, body, tables.state));
    return reason && `State table: ${reason}`;
  });
}
