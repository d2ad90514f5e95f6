import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { VendorSecretValue } from '../../config/resource-names';
import type { ClientCredentials, CredentialsRequest } from '../../http/token-manager';

/**
 * OAuth client credentials from Secrets Manager, cached for `maxAgeSeconds` (Powertools parameters).
 * `forceFetch` bypasses the cache: the token manager asks for it when the vendor rejects the cached ones.
 */
export function secretsManagerCredentials(secretId: string, maxAgeSeconds: number) {
  return async (req?: CredentialsRequest): Promise<ClientCredentials> => {
    const value = (await getSecret(secretId, {
      maxAge: maxAgeSeconds,
      transform: 'json',
      forceFetch: req?.forceFetch ?? false,
    })) as VendorSecretValue | undefined;
    if (!value?.clientId || !value.clientSecret)
      throw new Error(`Secret ${secretId} lacks clientId/clientSecret`);
    return { clientId: value.clientId, clientSecret: value.clientSecret };
  };
}

/**
 * The agent pseudonym key from the rewards vendor's secret (`agentPseudonymKey`), cached like the credentials.
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
