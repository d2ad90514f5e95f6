/**
 * Secrets Manager and EventBridge on loopback, speaking the AWS JSON 1.1 protocol the real SDK clients use
 * (no offline emulator exists for either; DESIGN section 4), and the AppConfig data plane (REST-JSON:
 * StartConfigurationSession, GetLatestConfiguration) serving the rule documents (decision 0010). Only the
 * operations this project calls.
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

/** Where AppConfig holds one configuration: application, environment and profile (names locally). */
export interface AppConfigLocation {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
}

/** A deployed configuration: the fake deploys whatever it is given, valid or not, as AppConfig without a validator. */
export interface DeployedConfiguration {
  readonly content: string;
  readonly contentType: string;
  /** 1 for the first deployment of a location, one more per deployment. */
  readonly versionNumber: number;
}

interface ConfigurationSession {
  readonly key: string;
  readonly pollIntervalSeconds: number;
  /** The version this session's client was last sent; an unchanged configuration is answered with no content. */
  readonly sent?: number;
}

const locationKey = (l: AppConfigLocation) => `${l.application}/${l.environment}/${l.profile}`;

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
/**
 * The newest domain events kept for GET /_local/events, as the sandboxes keep their newest 100,000 requests: an
 * `npm start` left running for days must not grow without end (the soak's 30 minutes put 3,944 on the bus).
 */
const MAX_EVENTS = 100_000;

export class AwsFake {
  readonly events: BusEvent[] = [];
  private readonly secrets = new Map<string, Secret>();
  private readonly buses = new Set<string>(['default']);
  private readonly configurations = new Map<string, DeployedConfiguration>();
  private readonly sessions = new Map<string, ConfigurationSession>();
  private server?: Server;
  constructor(
    private readonly onEvent: (e: BusEvent) => void = () => {},
    private readonly maxEvents = MAX_EVENTS,
  ) {}

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

  /** Deploys a configuration (an AppConfig hosted version plus its deployment); returns its version number. */
  deployConfiguration(
    location: AppConfigLocation,
    content: string,
    contentType = 'application/json',
  ): number {
    const key = locationKey(location);
    const versionNumber = (this.configurations.get(key)?.versionNumber ?? 0) + 1;
    this.configurations.set(key, { content, contentType, versionNumber });
    return versionNumber;
  }

  deployedConfiguration(location: AppConfigLocation): DeployedConfiguration | undefined {
    return this.configurations.get(locationKey(location));
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
          if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
          this.onEvent(event);
          return { EventId: event.id };
        }),
      };
    },
  };

  /** AppConfigData speaks REST-JSON: operations by method and path, errors by status and x-amzn-errortype. */
  private handleAppConfigData(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
      res.end(JSON.stringify({ Message: message }));
    };
    const newToken = (session: ConfigurationSession) => {
      const token = randomUUID();
      this.sessions.set(token, session);
      return token;
    };
    if (req.method === 'POST' && url.pathname === '/configurationsessions') {
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const location = {
        application: String(input.ApplicationIdentifier),
        environment: String(input.EnvironmentIdentifier),
        profile: String(input.ConfigurationProfileIdentifier),
      };
      const key = locationKey(location);
      if (!this.configurations.has(key)) {
        fail(404, 'ResourceNotFoundException', `No configuration is deployed at ${key}`);
        return true;
      }
      const pollIntervalSeconds = Number(input.RequiredMinimumPollIntervalInSeconds ?? 60);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ InitialConfigurationToken: newToken({ key, pollIntervalSeconds }) }));
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/configuration') {
      const token = url.searchParams.get('configuration_token') ?? '';
      const session = this.sessions.get(token);
      // Each token is good for one poll, as on AWS.
      this.sessions.delete(token);
      if (!session) {
        fail(400, 'BadRequestException', 'The configuration token is invalid or expired');
        return true;
      }
      const deployed = this.configurations.get(session.key);
      if (!deployed) {
        fail(404, 'ResourceNotFoundException', `No configuration is deployed at ${session.key}`);
        return true;
      }
      const changed = session.sent !== deployed.versionNumber;
      res.writeHead(200, {
        'content-type': deployed.contentType,
        'next-poll-configuration-token': newToken({ ...session, sent: deployed.versionNumber }),
        'next-poll-interval-in-seconds': String(session.pollIntervalSeconds),
        'version-label': String(deployed.versionNumber),
      });
      res.end(changed ? deployed.content : '');
      return true;
    }
    return false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      if (this.handleAppConfigData(req, res, Buffer.concat(chunks))) return;
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'BadRequestException' });
      return void res.end(JSON.stringify({ Message: (err as Error).message }));
    }
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
