import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { stackName } from '../shared/config/resource-names';
import { loadStageConfig } from '../shared/config/stage';
import { WfmBridgeStack } from './stacks/wfm-bridge-stack';

/** The CDK app for a stage, with cdk-nag's AwsSolutions and Serverless packs as validation plugins. */
export function buildApp(stage: string, app = new App({ context: { stage } })) {
  const config = loadStageConfig(stage);
  const stack = new WfmBridgeStack(app, stackName(config.stage), { config, env: config.env });
  // An unacknowledged finding fails synth; each acknowledgement carries its reason in code.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  Validations.of(app).addPlugins(new ServerlessChecks(app, { verbose: true }));
  return { app, stack, config };
}
