/**
 * The webhook replay guard's memory: which signed deliveries the ingress has taken, for as long as their signed
 * timestamp stays inside the signature tolerance (after that the signature check itself refuses them).
 */
export interface DeliveryNonce {
  /** `<route id>#<delivery id>`: the Standard Webhooks `webhook-id`, else the event id. */
  readonly key: string;
  /** SHA-256 of the raw body: the same id with another body is not a redelivery. */
  readonly bodyHash: string;
  /** When the ingress took it (ISO). */
  readonly receivedAt: string;
  /** Unix seconds after which the delivery's timestamp is outside the tolerance: the nonce may go. */
  readonly expiresAt: number;
}

export type NonceClaim =
  | { readonly kind: 'first' }
  /** Taken before, and not yet expired: what was recorded then. */
  | { readonly kind: 'seen'; readonly bodyHash: string; readonly receivedAt: string };

export interface DeliveryNonceStore {
  /** Records the nonce unless a live one holds its key (atomic: of two concurrent claims, one is first). */
  claim(nonce: DeliveryNonce, nowSeconds: number): Promise<NonceClaim>;
  /** Forgets a nonce whose delivery could not be kept (enqueue failed), so the vendor's retry is taken. */
  release(key: string): Promise<void>;
}
