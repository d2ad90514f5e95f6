import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { VendorSecretValue } from '../config/resource-names';
import type { ClientCredentials } from './token-manager';

/** OAuth client credentials from Secrets Manager, cached for `maxAgeSeconds` (Powertools parameters). */
export function secretsManagerCredentials(secretId: string, maxAgeSeconds: number) {
  return async (): Promise<ClientCredentials> => {
    const value = (await getSecret(secretId, { maxAge: maxAgeSeconds, transform: 'json' })) as
      VendorSecretValue | undefined;
    if (!value?.clientId || !value.clientSecret)
      throw new Error(`Secret ${secretId} lacks clientId/clientSecret`);
    return { clientId: value.clientId, clientSecret: value.clientSecret };
  };
}
