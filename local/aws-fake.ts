/**
 * Secrets Manager and EventBridge on loopback, speaking the AWS JSON 1.1 protocol the real SDK clients use
 * (no offline emulator exists for either; DESIGN section 4). Only the operations this project calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface BusEvent {
  readonly id: string;
  readonly time: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

interface Secret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  created: number;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

export class AwsFake {
  readonly events: BusEvent[] = [];
  private readonly secrets = new Map<string, Secret>();
  private readonly buses = new Set<string>(['default']);
  private server?: Server;
  constructor(private readonly onEvent: (e: BusEvent) => void = () => {}) {}

  get url(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('AWS fake is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async listen(port = 0): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  putSecret(name: string, value: string): void {
    const existing = this.secrets.get(name);
    this.secrets.set(name, {
      name,
      arn:
        existing?.arn ??
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`,
      value,
      versionId: randomUUID(),
      created: existing?.created ?? Date.now() / 1000,
    });
  }

  private secret(id: unknown): Secret {
    const secret = [...this.secrets.values()].find((s) => s.name === id || s.arn === id);
    if (!secret)
      throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
    return secret;
  }

  private operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    'secretsmanager.GetSecretValue': (input) => {
      const s = this.secret(input.SecretId);
      return {
        ARN: s.arn,
        Name: s.name,
        SecretString: s.value,
        VersionId: s.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: s.created,
      };
    },
    'secretsmanager.CreateSecret': (input) => {
      const name = String(input.Name);
      if (this.secrets.has(name))
        throw new AwsError('ResourceExistsException', `The secret ${name} already exists.`);
      this.putSecret(name, String(input.SecretString ?? ''));
      const s = this.secret(name);
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
    },
    'secretsmanager.PutSecretValue': (input) => {
      const s = this.secret(input.SecretId);
      this.putSecret(s.name, String(input.SecretString ?? ''));
      return { ARN: s.arn, Name: s.name, VersionId: this.secret(s.name).versionId };
    },
    'secretsmanager.DescribeSecret': (input) => {
      const s = this.secret(input.SecretId);
      return { ARN: s.arn, Name: s.name, CreatedDate: s.created };
    },
    'secretsmanager.ListSecrets': () => ({
      SecretList: [...this.secrets.values()].map((s) => ({
        ARN: s.arn,
        Name: s.name,
        CreatedDate: s.created,
      })),
    }),
    'AWSEvents.CreateEventBus': (input) => {
      const name = String(input.Name);
      this.buses.add(name);
      return { EventBusArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}` };
    },
    'AWSEvents.ListEventBuses': () => ({
      EventBuses: [...this.buses].map((Name) => ({
        Name,
        Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${Name}`,
      })),
    }),
    'AWSEvents.PutEvents': (input) => {
      const entries = (input.Entries as Record<string, unknown>[]) ?? [];
      return {
        FailedEntryCount: entries.filter((e) => !this.buses.has(String(e.EventBusName ?? 'default'))).length,
        Entries: entries.map((e) => {
          const eventBusName = String(e.EventBusName ?? 'default');
          if (!this.buses.has(eventBusName))
            return {
              ErrorCode: 'ResourceNotFoundException',
              ErrorMessage: `Event bus ${eventBusName} does not exist.`,
            };
          let detail: unknown = e.Detail;
          try {
            detail = JSON.parse(String(e.Detail));
          } catch {
            // kept as the string it was
          }
          const event: BusEvent = {
            id: randomUUID(),
            time: new Date().toISOString(),
            eventBusName,
            source: String(e.Source),
            detailType: String(e.DetailType),
            detail,
          };
          this.events.push(event);
          this.onEvent(event);
          return { EventId: event.id };
        }),
      };
    },
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    const op = this.operations[target];
    if (!op)
      return reply(400, {
        __type: 'UnknownOperationException',
        message: `Operation ${target} is not supported by the local fake`,
      });
    try {
      const input = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
      reply(200, op(input));
    } catch (err) {
      if (err instanceof AwsError) return reply(400, { __type: err.type, message: err.message });
      reply(500, { __type: 'InternalFailure', message: (err as Error).message });
    }
  }
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
