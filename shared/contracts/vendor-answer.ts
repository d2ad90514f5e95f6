/** Vendor answers are parsed against their contract (zod/mini), never cast. */
import type { z } from 'zod/mini';
import { VendorContractBreach } from '../errors';

/** The body as its schema's output, or a VendorContractBreach naming the endpoint and every broken field. */
export function vendorAnswer<S extends z.ZodMiniType>(
  schema: S,
  body: unknown,
  endpoint: string,
): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new VendorContractBreach(
    endpoint,
    parsed.error.issues.map(
      (i) => `${i.path.length ? i.path.map(String).join('.') : '(body)'}: ${i.message}`,
    ),
  );
}
