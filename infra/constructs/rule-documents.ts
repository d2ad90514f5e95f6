import { Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { toJSONSchema } from 'zod/mini';
import { pascalCase, ruleApplicationName, ruleEnvironmentName } from '../../shared/config/resource-names';
import { RULE_DOCUMENTS, type RuleDocumentDeclaration } from '../../shared/config/rule-documents';
import type { StageConfig } from '../../shared/config/stage';
import type { RuleDocumentName } from '../../shared/topology';

export interface RuleDocumentLocation {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
}

/**
 * The stage's rule documents in AppConfig (docs/decisions/0010-rule-documents-in-appconfig.md): one
 * application, one environment, a hosted freeform JSON profile per rule document whose first version is the
 * default document, and a JSON-schema validator derived from the same zod schema the functions validate with
 * (refinements such as "tiers do not share a points value" are only checked by the functions).
 */
export class RuleDocuments extends Construct {
  readonly application: appconfig.Application;
  readonly environment: appconfig.Environment;
  readonly deploymentStrategy: appconfig.DeploymentStrategy;
  private readonly profiles = new Map<RuleDocumentName, appconfig.HostedConfiguration>();

  constructor(scope: Construct, id: string, props: { readonly config: StageConfig }) {
    super(scope, id);
    const { stage } = props.config;
    this.application = new appconfig.Application(this, 'Application', {
      applicationName: ruleApplicationName(stage),
      description: 'wfm-bridge rule documents (decision 0010)',
    });
    this.environment = new appconfig.Environment(this, 'Environment', {
      application: this.application,
      environmentName: ruleEnvironmentName(stage),
      description: `The ${stage} stage's functions read their rules here`,
    });
    // All at once, then a bake time during which AppConfig can still roll the deployment back by hand.
    this.deploymentStrategy = new appconfig.DeploymentStrategy(this, 'DeploymentStrategy', {
      rolloutStrategy: appconfig.RolloutStrategy.linear({
        growthFactor: 100,
        deploymentDuration: Duration.minutes(0),
        finalBakeTime: Duration.minutes(5),
      }),
      description: 'Rule documents: all at once, 5 minutes of bake time',
    });
    for (const document of RULE_DOCUMENTS) this.profile(document);
  }

  private profile(document: RuleDocumentDeclaration) {
    const hosted = new appconfig.HostedConfiguration(this, `${pascalCase(document.name)}Profile`, {
      application: this.application,
      name: document.name,
      description: document.description,
      type: appconfig.ConfigurationType.FREEFORM,
      content: appconfig.ConfigurationContent.fromInlineJson(JSON.stringify(document.initial, null, 2)),
      validators: [appconfig.JsonSchemaValidator.fromInline(jsonSchemaOf(document))],
      deploymentStrategy: this.deploymentStrategy,
      deployTo: [this.environment],
    });
    this.profiles.set(document.name, hosted);
  }

  private hosted(name: RuleDocumentName): appconfig.HostedConfiguration {
    const hosted = this.profiles.get(name);
    if (!hosted) throw new Error(`No AppConfig profile for rule document ${name}`);
    return hosted;
  }

  /** Ids, not names: unambiguous, and what the read grant's resource is made of. */
  location(name: RuleDocumentName): RuleDocumentLocation {
    return {
      application: this.application.applicationId,
      environment: this.environment.environmentId,
      profile: this.hosted(name).configurationProfileId,
    };
  }

  /** Reading one rule document in this stage's environment, and nothing else. */
  grantRead(name: RuleDocumentName, grantee: iam.IGrantable): void {
    const { application, environment, profile } = this.location(name);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
        resources: [
          Stack.of(this).formatArn({
            service: 'appconfig',
            resource: 'application',
            resourceName: `${application}/environment/${environment}/configuration/${profile}`,
          }),
        ],
      }),
    );
  }
}

/** AppConfig's JSON-schema validators speak draft-04; the input side, so defaulted keys may be left out. */
export function jsonSchemaOf(document: RuleDocumentDeclaration): string {
  return JSON.stringify(toJSONSchema(document.schema, { target: 'draft-4', io: 'input' }));
}
