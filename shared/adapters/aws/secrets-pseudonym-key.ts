import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { VendorSecretValue } from '../../config/resource-names';

/**
 * The agent pseudonym key from the rewards vendor's secret (`agentPseudonymKey`), cached for `maxAgeSeconds`
 * (Powertools parameters). Every reward record needs it, so the Secrets Manager client loads at cold start.
 * Never logged; a missing or short key refuses to run rather than send a weak pseudonym.
 */
export function secretsManagerPseudonymKey(secretId: string, maxAgeSeconds: number) {
  return async (): Promise<string> => {
    const value = (await getSecret(secretId, { maxAge: maxAgeSeconds, transform: 'json' })) as
      VendorSecretValue | undefined;
    const key = value?.agentPseudonymKey;
    if (!key || Buffer.byteLength(key, 'utf8') < 32)
      throw new Error(`Secret ${secretId} lacks an agentPseudonymKey of at least 32 bytes`);
    return key;
  };
}
