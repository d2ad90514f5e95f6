/** Issue 13, "a template CloudFormation would accept": every stage's template against the resource schemas. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { STAGES } from '../../shared/config/stage';
import { type CfnTemplate, validateTemplate } from '../helpers/cfn-schema';

// Bundling is skipped (asset hashes only): the function code is not part of what the schemas check.
const templateOf = (stage: string) =>
  Template.fromStack(
    buildApp(stage, new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } })).stack,
  ).toJSON() as CfnTemplate;

const templates = new Map<string, CfnTemplate>();
const cachedTemplateOf = (stage: string) => {
  if (!templates.has(stage)) templates.set(stage, templateOf(stage));
  return templates.get(stage)!;
};

describe.each(Object.keys(STAGES))('the %s stage template', (stage) => {
  it('is accepted by the CloudFormation resource schemas', () => {
    const template = cachedTemplateOf(stage);
    expect(Object.keys(template.Resources ?? {}).length).toBeGreaterThan(50);
    expect(validateTemplate(template)).toEqual([]);
  });
});

describe('the schema check, on mutated copies of the dev template', () => {
  type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
  /** A deep copy of the dev template and the logical id of its first resource of `type`. */
  const mutate = (type: string, change: (properties: Record<string, any>) => void) => {
    const copy = structuredClone(cachedTemplateOf('dev')) as CfnTemplate & { Resources: Resources };
    const [id, resource] = Object.entries(copy.Resources).find(([, r]) => r.Type === type)!;
    change(resource.Properties);
    const errors = validateTemplate(copy).sort((a, b) => a.path.localeCompare(b.path));
    return { errors, at: `Resources.${id}.Properties` };
  };

  it('finds a misspelled property, at the top level and in a nested property type', () => {
    const top = mutate('AWS::SQS::Queue', (p) => {
      p.MessageRetentionPeriods = p.MessageRetentionPeriod ?? 345600;
      delete p.MessageRetentionPeriod;
    });
    expect(top.errors).toEqual([
      { path: `${top.at}.MessageRetentionPeriods`, message: 'unknown property of AWS::SQS::Queue' },
    ]);
    const nested = mutate('AWS::Lambda::Function', (p) => {
      p.TracingConfig = { Mod: 'Active' };
    });
    expect(nested.errors).toEqual([
      { path: `${nested.at}.TracingConfig.Mod`, message: 'unknown property of TracingConfig' },
    ]);
  });

  it('finds a wrong-typed property and a value outside its allowed values, but lets intrinsics through', () => {
    const wrongType = mutate('AWS::Lambda::Function', (p) => {
      p.MemorySize = 'plenty';
      p.Environment.Variables = ['NOT_A_MAP'];
      p.Timeout = { Ref: 'AWS::NoValue' };
    });
    expect(wrongType.errors).toEqual([
      { path: `${wrongType.at}.Environment.Variables`, message: 'expected a map, got ["NOT_A_MAP"]' },
      { path: `${wrongType.at}.MemorySize`, message: 'expected an integer, got "plenty"' },
    ]);
    const notAllowed = mutate('AWS::Lambda::Function', (p) => {
      p.TracingConfig = { Mode: 'Always' };
    });
    expect(notAllowed.errors).toEqual([
      { path: `${notAllowed.at}.TracingConfig.Mode`, message: '"Always" is not one of Active, PassThrough' },
    ]);
  });

  it('finds a missing required property, at the top level and in a nested property type', () => {
    const top = mutate('AWS::Lambda::Function', (p) => delete p.Code);
    expect(top.errors).toEqual([
      { path: top.at, message: 'required property Code of AWS::Lambda::Function is missing' },
    ]);
    const nested = mutate('AWS::DynamoDB::Table', (p) => delete p.KeySchema[0].KeyType);
    expect(nested.errors).toEqual([
      { path: `${nested.at}.KeySchema[0]`, message: 'required property KeyType of KeySchema is missing' },
    ]);
  });

  it('finds an unknown resource type and a reference to an undeclared resource or attribute', () => {
    const copy = structuredClone(cachedTemplateOf('dev')) as CfnTemplate & { Resources: Resources };
    const [queueId] = Object.entries(copy.Resources).find(([, r]) => r.Type === 'AWS::SQS::Queue')!;
    copy.Resources.Typo = { Type: 'AWS::SQS::Queues', Properties: {} };
    copy.Resources.Dangling = {
      Type: 'AWS::SSM::Parameter',
      Properties: { Type: 'String', Value: { 'Fn::GetAtt': [queueId, 'Url'] }, Name: { Ref: 'Nowhere' } },
    };
    expect(validateTemplate(copy)).toEqual([
      { path: 'Resources.Typo.Type', message: 'unknown resource type "AWS::SQS::Queues"' },
      { path: 'Resources.Dangling.Properties.Value', message: 'AWS::SQS::Queue has no attribute Url' },
      { path: 'Resources.Dangling.Properties.Name', message: 'Ref to undeclared Nowhere' },
    ]);
  });
});
