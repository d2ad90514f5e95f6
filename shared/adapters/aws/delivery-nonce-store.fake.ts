/** In-memory delivery nonces with the DynamoDB store's rule: a nonce past its `expiresAt` is absent. */
import type { DeliveryNonce, DeliveryNonceStore, NonceClaim } from '../../ports/delivery-nonce-store';

export class InMemoryDeliveryNonceStore implements DeliveryNonceStore {
  readonly nonces = new Map<string, DeliveryNonce>();

  async claim(nonce: DeliveryNonce, nowSeconds: number): Promise<NonceClaim> {
    const held = this.nonces.get(nonce.key);
    if (held && held.expiresAt >= nowSeconds) {
      return { kind: 'seen', bodyHash: held.bodyHash, receivedAt: held.receivedAt };
    }
    this.nonces.set(nonce.key, nonce);
    return { kind: 'first' };
  }

  async release(key: string): Promise<void> {
    this.nonces.delete(key);
  }
}
