import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILURE_REASONS } from '../../shared/errors/failure-reasons';
import { WORKFLOWS } from '../../shared/topology';

const runbook = readFileSync(join(__dirname, '../../docs/runbook.md'), 'utf8');

describe('docs/runbook.md', () => {
  const reasons = Object.entries(FAILURE_REASONS).flatMap(([workflow, list]) =>
    Object.keys(list).map((r) => [workflow, r]),
  );

  it.each(reasons)('explains the %s failure reason %s', (_workflow, reason) => {
    expect(runbook).toMatch(new RegExp(`\`${reason}\` — `));
  });

  it('covers every alarm kind the stack creates', () => {
    for (const alarm of [
      'DlqDepth',
      'DlqAge',
      'QueueAge',
      'ProcessorErrors',
      'ProcessorThrottles',
      'BreakerOpen',
      'Drift',
      'RuleDocumentRefused',
    ]) {
      expect(runbook).toContain(alarm);
    }
  });

  it('knows every workflow that can dead-letter a message', () => {
    for (const w of WORKFLOWS.filter((x) => x.name in FAILURE_REASONS))
      expect(runbook).toContain(`### ${w.name}`);
  });
});
