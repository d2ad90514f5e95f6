import {
  PerformanceExportPageSchema,
  validateRow,
} from '../../../shared/contracts/genesys-performance-export.schema';

const PII = { name: 'Jane Q. Agent', email: 'jane.agent@example.com', phone: '+1 555 0100 2233' };

describe('an export row is validated and normalised before anything else', () => {
  it('keeps only the known fields: PII and unknown columns are dropped', () => {
    const result = validateRow(
      {
        agentId: 'agent-4821',
        date: '2026-05-14',
        csatFiveStar: 6,
        ahtCompliancePct: 96,
        complianceViolations: 0,
        extraMetric: 3,
        ...PII,
      },
      'page 1 row 1',
    );
    expect(result).toEqual({
      ok: true,
      row: {
        agentId: 'agent-4821',
        date: '2026-05-14',
        csatFiveStar: 6,
        complianceViolations: 0,
        ahtCompliancePct: 96,
      },
    });
  });

  it('accepts a row without AHT compliance (it earns nothing by default) as null', () => {
    const result = validateRow(
      { agentId: 'a', date: '2026-05-14', csatFiveStar: 0, complianceViolations: 2 },
      'r',
    );
    expect(result.ok && result.row.ahtCompliancePct).toBeNull();
  });

  it.each([
    ['a missing metric that earns points', { csatFiveStar: undefined }, 'csatFiveStar'],
    ['a metric as text', { complianceViolations: 'two' }, 'complianceViolations'],
    ['a fractional count', { csatFiveStar: 2.5 }, 'csatFiveStar'],
    ['a negative count', { complianceViolations: -1 }, 'complianceViolations'],
    ['a percentage over 100', { ahtCompliancePct: 140 }, 'ahtCompliancePct'],
    ['a date that is not a calendar date', { date: '2026-02-30' }, 'date'],
    ['a date with a time', { date: '2026-05-14T00:00:00Z' }, 'date'],
    ['an empty agent id', { agentId: '' }, 'agentId'],
  ])('refuses %s, naming the row and the field', (_case, change, field) => {
    const raw = {
      agentId: 'agent-4821',
      date: '2026-05-14',
      csatFiveStar: 6,
      complianceViolations: 0,
      ...change,
    };
    const result = validateRow(raw, 'page 3 row 17');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rowRef).toBe('page 3 row 17');
    expect(result.problems.map((p) => p.field)).toEqual([field]);
  });

  it('lists every field at fault and echoes no PII, even when PII sits in the field at fault', () => {
    const result = validateRow(
      {
        ...PII,
        agentId: 'agent-4821',
        date: 'yesterday',
        csatFiveStar: PII.email,
        complianceViolations: PII.phone,
      },
      'page 2 row 5',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual([
      'complianceViolations',
      'csatFiveStar',
      'date',
    ]);
    const report = JSON.stringify(result);
    for (const value of Object.values(PII)) expect(report).not.toContain(value);
    expect(report).not.toContain('yesterday');
  });

  it('refuses something that is not a row at all', () => {
    const result = validateRow(null, 'page 1 row 9');
    expect(result).toMatchObject({ ok: false, rowRef: 'page 1 row 9', problems: [{ field: '(row)' }] });
  });
});

describe('an export page', () => {
  it('reads the sandbox page shape and leaves rows to validateRow (a bad row does not fail the page)', () => {
    const page = PerformanceExportPageSchema.safeParse({
      exportVersion: 'v2.1',
      entities: [{ agentId: 'a' }, null, 'garbage'],
      pageNumber: 1,
      pageSize: 25,
      total: 3,
      pageCount: 1,
    });
    expect(page.success).toBe(true);
  });

  it('refuses a page without its total (the row count cannot be checked)', () => {
    const page = PerformanceExportPageSchema.safeParse({
      exportVersion: 'v2.1',
      entities: [],
      pageNumber: 1,
      pageSize: 25,
      pageCount: 0,
    });
    expect(page.success).toBe(false);
  });
});
