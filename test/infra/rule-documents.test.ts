/** Decision 0010: the rule documents in AppConfig, read by exactly the functions that declare them. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { jsonSchemaOf } from '../../infra/constructs/rule-documents';
import { RULE_DOCUMENTS } from '../../shared/config/rule-documents';
import { functionsOf, WORKFLOWS } from '../../shared/topology';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const { stack } = buildApp('dev');
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const refOf = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];
const only = <T>(list: readonly T[]): T => {
  expect(list).toHaveLength(1);
  return list[0]!;
};

describe('rule documents in AppConfig', () => {
  const [applicationId] = only(ofType('AWS::AppConfig::Application'));
  const [environmentId, environment] = only(ofType('AWS::AppConfig::Environment'));
  const profiles = new Map(
    ofType('AWS::AppConfig::ConfigurationProfile').map(([id, p]) => [p.Properties.Name as string, { id, p }]),
  );

  it('has one application and one environment named for the stage', () => {
    template.hasResourceProperties('AWS::AppConfig::Application', { Name: 'wfm-bridge-dev' });
    expect(environment.Properties).toMatchObject({ Name: 'dev', ApplicationId: { Ref: applicationId } });
  });

  it.each(RULE_DOCUMENTS.map((d) => [d.name, d] as const))(
    'hosts %s as freeform JSON, validated by its schema, with the default document deployed',
    (name, declared) => {
      const profile = profiles.get(name)!;
      expect(profile.p.Properties).toMatchObject({
        ApplicationId: { Ref: applicationId },
        LocationUri: 'hosted',
        Type: 'AWS.Freeform',
        Validators: [{ Type: 'JSON_SCHEMA', Content: jsonSchemaOf(declared) }],
      });
      const [versionId, version] = only(
        ofType('AWS::AppConfig::HostedConfigurationVersion').filter(
          ([, v]) => refOf(v.Properties.ConfigurationProfileId) === profile.id,
        ),
      );
      expect(version.Properties.ContentType).toBe('application/json');
      expect(JSON.parse(version.Properties.Content)).toEqual(declared.initial);
      const deployment = only(
        ofType('AWS::AppConfig::Deployment').filter(
          ([, d]) => refOf(d.Properties.ConfigurationProfileId) === profile.id,
        ),
      )[1];
      expect(refOf(deployment.Properties.EnvironmentId)).toBe(environmentId);
      expect(refOf(deployment.Properties.DeploymentStrategyId)).toBe(
        only(ofType('AWS::AppConfig::DeploymentStrategy'))[0],
      );
      expect(refOf(deployment.Properties.ConfigurationVersion)).toBe(versionId);
    },
  );

  it('validates at deployment in the draft-04 AppConfig speaks, refusing unknown keys', () => {
    const schema = JSON.parse(jsonSchemaOf(RULE_DOCUMENTS[0]!));
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toContain('version');
  });

  describe.each(
    WORKFLOWS.flatMap((w) => functionsOf(w).map((fn) => [`${w.name}/${fn.id}`, w.name, fn] as const)),
  )('%s', (_key, workflow, fn) => {
    const lambda = ofType('AWS::Lambda::Function').find(
      ([, f]) =>
        f.Properties.Environment?.Variables?.WORKFLOW === workflow &&
        f.Properties.Environment.Variables.WORKFLOW_FUNCTION === fn.id,
    )![1];
    const vars = lambda.Properties.Environment.Variables;
    const roleId = refOf(lambda.Properties.Role)!;
    const appConfigStatements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => refOf(r) === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('appconfig:')));
    const name = fn.declaration.ruleDocument;

    if (name) {
      it(`reads ${name} and nothing else, by id, with a max age of 60 s`, () => {
        const profile = profiles.get(name)!;
        expect(vars).toMatchObject({
          RULE_DOCUMENT: name,
          RULES_APPCONFIG_APPLICATION: { Ref: applicationId },
          RULES_APPCONFIG_ENVIRONMENT: { Ref: environmentId },
          RULES_APPCONFIG_PROFILE: { Ref: profile.id },
          RULES_MAX_AGE_SECONDS: '60',
        });
        const statement = only(appConfigStatements);
        expect(statement.Effect).toBe('Allow');
        expect([statement.Action].flat().sort()).toEqual([
          'appconfig:GetLatestConfiguration',
          'appconfig:StartConfigurationSession',
        ]);
        const resource = JSON.stringify(statement.Resource);
        expect(resource).not.toContain('*');
        for (const id of [applicationId, environmentId, profile.id]) expect(resource).toContain(id);
        expect(resource).toContain(':application/');
        expect(resource).toContain('/configuration/');
      });

      it('has an alarm on RuleDocumentRefused, to the alarm topic', () => {
        const alarm = ofType('AWS::CloudWatch::Alarm').find(
          ([, a]) =>
            a.Properties.MetricName === 'RuleDocumentRefused' &&
            a.Properties.Dimensions.some((d: any) => d.Name === 'workflow' && d.Value === workflow),
        )?.[1];
        expect(alarm?.Properties).toMatchObject({
          Namespace: 'WfmBridge',
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        });
        expect(alarm!.Properties.AlarmActions).toHaveLength(1);
      });
    } else {
      it('has no rule document, variable or grant', () => {
        expect(Object.keys(vars).filter((k) => k.startsWith('RULE'))).toEqual([]);
        expect(appConfigStatements).toEqual([]);
      });
    }
  });
});
