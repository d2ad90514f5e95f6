/**
 * The vendor sandboxes in a process of their own (bench/child-process.ts), for the soak: the runtime's process
 * then holds the system (gateway, functions, SQS, the AWS fake), and the sandboxes' vendor state and request logs,
 * which grow with the load as a vendor's database would, show in their own process's RSS. Every request the
 * system makes to them is watched here for the leak scan (test/helpers/leak-scan.ts), as the bench runtime watches
 * sandboxes of its own.
 */
import { heapOfThisThread, type HeapUse } from '../local/function-host';
import { startSandboxes } from '../local/sandboxes/server';
import { OutboundWitness, type LeakScan } from '../test/helpers/leak-scan';
import { forkChild, serveParent } from './child-process';
import { asJsonMb } from './runtime-process';

/** What the sandboxes keep for the ones who inspect them (GET /_admin/requests), which grows with the load. */
export interface KeptRequests {
  readonly vendorRequests: number;
  /** Their size as JSON. */
  readonly vendorRequestsMb: number;
}

type SandboxRequests = {
  heap(collect: boolean): HeapUse;
  kept(): KeptRequests;
  /** Closes the sandboxes: what the witness saw of the outbound requests. */
  stop(): LeakScan;
};
type Ready = { url: string };

export interface SandboxProcess extends Ready {
  readonly pid: number;
  heap(options?: { collect?: boolean }): Promise<HeapUse>;
  kept(): Promise<KeptRequests>;
  stop(): Promise<LeakScan>;
}

export async function startSandboxProcess(nodeFlags: readonly string[] = []): Promise<SandboxProcess> {
  const child = await forkChild<SandboxRequests, Ready>({
    module: __filename,
    name: 'the sandbox process',
    options: {},
    nodeFlags,
    startDeadlineMs: 60_000,
    deadlinesMs: { heap: 60_000, kept: 60_000, stop: 60_000 },
  });
  return {
    pid: child.pid,
    ...child.ready,
    heap: ({ collect = false } = {}) => child.ask('heap', collect),
    kept: () => child.ask('kept'),
    stop: () => child.stop(),
  };
}

if (require.main === module)
  serveParent<SandboxRequests, Ready>(async () => {
    // Their own defaults, as the runtime starts them (local/runtime.ts), on a free port.
    const sandboxes = await startSandboxes({ port: 0, host: '127.0.0.1' });
    const witness = new OutboundWitness();
    witness.watch(sandboxes);
    return {
      ready: { url: sandboxes.url },
      handlers: {
        heap: async (collect) => heapOfThisThread(collect),
        kept: async () => {
          const requests = Object.values(sandboxes.vendors).flatMap((v) => v.requests());
          return { vendorRequests: requests.length, vendorRequestsMb: asJsonMb(requests) };
        },
        stop: async () => {
          await sandboxes.close();
          return witness.scan();
        },
      },
      orphaned: () => sandboxes.close(),
    };
  });
