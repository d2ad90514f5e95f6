import type { VendorSecretValue } from '../../config/resource-names';
import type { ClientCredentials, CredentialsRequest } from '../../http/token-manager';

/**
 * OAuth client credentials from Secrets Manager, cached for `maxAgeSeconds` (Powertools parameters).
 * `forceFetch` bypasses the cache: the token manager asks for it when the vendor rejects the cached ones.
 *
 * Only a token refresh asks for them, and the token is shared through the State table (decision 0007): a cold
 * start usually finds a valid token there. Powertools parameters and the Secrets Manager client are therefore
 * loaded on the first refresh an instance makes, not at cold start.
 */
export function secretsManagerCredentials(secretId: string, maxAgeSeconds: number) {
  return async (req?: CredentialsRequest): Promise<ClientCredentials> => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
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
