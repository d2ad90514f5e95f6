/**
 * A synthetic Genesys performance export of N agents × D days, computed row by row from its position (no row is
 * stored), for the reward-triggers benchmark and for tests that need volume. Rows carry the agent's name, email
 * and phone, as an older export schema does (spec 004 edge case 2), so a test can prove they never leave.
 * Deterministic: the same position always gives the same row.
 */
import { z } from 'zod';

export const GeneratedExportSchema = z
  .object({
    agents: z.number().int().positive(),
    /** The first day, YYYY-MM-DD. */
    fromDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
    days: z.number().int().positive(),
    /** Name, email and phone columns on every row. Default true. */
    pii: z.boolean().default(true),
    /** Agent ids are this prefix and the agent's number (a bench gives each run its own agents). */
    agentIdPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - (at most 40)')
      .default('agent-'),
  })
  .strict();
export type GeneratedExport = z.output<typeof GeneratedExportSchema>;

const DAY_MS = 86_400_000;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function dayIndex(g: GeneratedExport, date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${g.fromDate}T00:00:00Z`)) / DAY_MS);
}

/** Agent ids sort as their numbers do (the export's order is date, then agent id). */
export function generatedAgentId(g: Pick<GeneratedExport, 'agentIdPrefix'>, agentIndex: number): string {
  return `${g.agentIdPrefix}${String(agentIndex + 1).padStart(7, '0')}`;
}

/** The generated rows between two dates (inclusive, either open): `[first, first + count)` positions. */
export function generatedRange(
  g: GeneratedExport,
  dateFrom: string | null,
  dateTo: string | null,
): { firstDay: number; days: number; total: number } {
  const firstDay = Math.max(0, dateFrom ? dayIndex(g, dateFrom) : 0);
  const lastDay = Math.min(g.days - 1, dateTo ? dayIndex(g, dateTo) : g.days - 1);
  const days = Math.max(0, lastDay - firstDay + 1);
  return { firstDay, days, total: days * g.agents };
}

/** The row at `position` counted from the range's first day. */
export function generatedRow(
  g: GeneratedExport,
  firstDay: number,
  position: number,
): Record<string, unknown> {
  const day = firstDay + Math.floor(position / g.agents);
  const agent = position % g.agents;
  const h = mix(day * 1_000_003 + agent);
  return {
    agentId: generatedAgentId(g, agent),
    date: addDays(g.fromDate, day),
    csatFiveStar: h % 8,
    ahtCompliancePct: 80 + ((h >>> 3) % 21),
    complianceViolations: (h >>> 8) % 40 === 0 ? 1 : 0,
    ...(g.pii && {
      agentName: `Agent${agent + 1} Example`,
      agentEmail: `agent${agent + 1}@contact-center.example`,
      agentPhone: `+1-555-${String(agent % 10_000).padStart(4, '0')}`,
    }),
  };
}

/** Every row in export order, lazily (for fixtures of a small generated export). */
export function* generatePerformanceRows(
  options: z.input<typeof GeneratedExportSchema>,
): Generator<Record<string, unknown>> {
  const g = GeneratedExportSchema.parse(options);
  for (let position = 0; position < g.days * g.agents; position++) yield generatedRow(g, 0, position);
}

/** A 32-bit integer hash (Murmur3's finaliser): cheap, well spread. */
function mix(n: number): number {
  let h = n | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
