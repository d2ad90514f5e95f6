import { createMetrics, MetricName } from '../../../shared/observability/metrics';
import { countAll, pushTelemetryCounts, reconcileCounts } from '../../../shared/observability/run-metrics';

describe('reconcileCounts: what a reconciliation run publishes', () => {
  it('publishes the agents it repaired, deferred and failed', () => {
    expect(reconcileCounts({ repaired: 2, deferred: 3, failed: 1 })).toEqual([
      { name: MetricName.Drift, value: 2 },
      { name: MetricName.ReconcileDeferred, value: 3 },
      { name: MetricName.ReconcileErrors, value: 1 },
    ]);
  });

  it('publishes ReconcileDeferred and ReconcileErrors on a clean run too, as zeros (the alarms need every run)', () => {
    expect(reconcileCounts({ repaired: 0, deferred: 0, failed: 0 })).toEqual([
      { name: MetricName.ReconcileDeferred, value: 0 },
      { name: MetricName.ReconcileErrors, value: 0 },
    ]);
  });
});

describe('pushTelemetryCounts: what one accepted adherence push publishes', () => {
  it.each([
    ['a recalculation', { recalculating: true, bottleneck: false }, [MetricName.WemRecalculations]],
    ['a dispatch gap', { recalculating: false, bottleneck: true }, [MetricName.WemDispatchGaps]],
    [
      'both',
      { recalculating: true, bottleneck: true },
      [MetricName.WemRecalculations, MetricName.WemDispatchGaps],
    ],
    ['neither', { recalculating: false, bottleneck: false }, []],
  ])('%s', (_label, telemetry, names) => {
    expect(pushTelemetryCounts(telemetry)).toEqual(names.map((name) => ({ name, value: 1 })));
  });
});

describe('countAll', () => {
  it('publishes every count it is given, zeros included', () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    try {
      const metrics = createMetrics('adherence-reconcile');
      countAll(metrics, reconcileCounts({ repaired: 4, deferred: 0, failed: 2 }));
      metrics.publishStoredMetrics();
    } finally {
      write.mockRestore();
    }
    const published = Object.assign({}, ...lines.map((l) => JSON.parse(l) as Record<string, unknown>));
    expect(published).toMatchObject({ Drift: 4, ReconcileDeferred: 0, ReconcileErrors: 2 });
  });
});
