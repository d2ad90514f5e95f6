import {
  count,
  countWith,
  createMetrics,
  dimensionSetsOf,
  METRIC_CATALOGUE,
  type MetricName,
} from '../../../shared/observability/metrics';

type EmfBlob = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
};

/** The EMF blobs Powertools writes while `emit` runs, with metrics set up as the functions set them up. */
function emf(emitter: 'ingress' | 'workflow', emit: (m: ReturnType<typeof createMetrics>) => void) {
  const blobs: EmfBlob[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) blobs.push(JSON.parse(line) as EmfBlob);
    return true;
  });
  try {
    const metrics = createMetrics(emitter === 'ingress' ? 'ingress' : 'shift-overrides');
    if (emitter === 'workflow') metrics.setDefaultDimensions({ workflow: 'shift-overrides' });
    emit(metrics);
    metrics.publishStoredMetrics();
  } finally {
    write.mockRestore();
  }
  return blobs;
}

describe('what count and countWith publish is what the catalogue declares', () => {
  it.each(Object.keys(METRIC_CATALOGUE) as MetricName[])('%s', (name) => {
    const declared = METRIC_CATALOGUE[name];
    const blobs = emf(declared.emitter, (m) => {
      if (declared.by.length)
        (countWith as (m: unknown, n: string, d: Record<string, string>) => void)(
          m,
          name,
          Object.fromEntries(declared.by.map((d) => [d, 'x'])),
        );
      else (count as (m: unknown, n: string) => void)(m, name);
    });
    const published = blobs.find((b) => b[name] !== undefined)!;
    expect(published._aws.CloudWatchMetrics[0]!.Namespace).toBe('WfmBridge');
    const sets = published._aws.CloudWatchMetrics[0]!.Dimensions.map((s) => [...s].sort());
    expect(sets).toEqual(dimensionSetsOf(name).map((s) => [...s].sort()));
  });
});
