/** In-memory fake of the DynamoDB token store: managers given one instance share it like Lambda instances. */
import { InProcessTokenStore, type RefreshLease, type TokenRecord } from '../../ports/token-store';

export class InMemoryTokenStore extends InProcessTokenStore {
  /** Calls per operation, for assertions on who read and who refreshed. */
  readonly calls = { read: 0, tryLease: 0, leasesTaken: 0, replace: 0 };

  override async read(): Promise<TokenRecord> {
    this.calls.read++;
    return super.read();
  }

  override async tryLease(lease: RefreshLease, generation: number, now: number): Promise<boolean> {
    this.calls.tryLease++;
    const taken = await super.tryLease(lease, generation, now);
    if (taken) this.calls.leasesTaken++;
    return taken;
  }

  override async replace(...args: Parameters<InProcessTokenStore['replace']>) {
    this.calls.replace++;
    return super.replace(...args);
  }
}
