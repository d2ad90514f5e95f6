import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { join } from 'node:path';
import { FAILURE_REASONS } from '../../shared/errors/failure-reasons';
import { WORKFLOWS } from '../../shared/topology';

const runbook = readFileSync(join(__dirname, '../../docs/runbook.md'), 'utf8');

/** The kind each alarm of the synthesized template names in its description ("See docs/runbook.md, alarm X."). */
function alarmKindsOfTemplate(): string[] {
  // Synthesized without bundling the functions' code: only the template is read.
  const { stack } = buildApp('prod', new App({ context: { stage: 'prod', 'aws:cdk:bundling-stacks': [] } }));
  const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
  const kinds = Object.values(alarms).map((a) => {
    const kind = /See docs\/runbook\.md, alarm (\w+)\.$/.exec(a.Properties.AlarmDescription)?.[1];
    if (!kind) throw new Error(`Alarm names no runbook section: ${a.Properties.AlarmDescription}`);
    return kind;
  });
  return [...new Set(kinds)].sort();
}

describe('docs/runbook.md', () => {
  const reasons = Object.entries(FAILURE_REASONS).flatMap(([workflow, list]) =>
    Object.keys(list).map((r) => [workflow, r]),
  );

  it.each(reasons)('explains the %s failure reason %s', (_workflow, reason) => {
    expect(runbook).toMatch(new RegExp(`\`${reason}\` — `));
  });

  it.each(alarmKindsOfTemplate())('has a section for the %s alarms the stack creates', (kind) => {
    expect(runbook).toMatch(new RegExp(`^### \`[^\`]*\\b${kind}\` — `, 'm'));
  });

  it('knows every workflow that can dead-letter a message', () => {
    for (const w of WORKFLOWS.filter((x) => x.name in FAILURE_REASONS))
      expect(runbook).toContain(`### ${w.name}`);
  });
});
