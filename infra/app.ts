#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadStageConfig } from '../shared/config/stage';
import { WfmBridgeStack } from './stacks/wfm-bridge-stack';

const app = new App();
const stageName = String(app.node.tryGetContext('stage') ?? 'dev');
const config = loadStageConfig(stageName);

new WfmBridgeStack(app, `WfmBridge-${config.stage}`, { config, env: config.env });

// cdk-nag runs on every synth; an unacknowledged finding fails it (acknowledgements carry their reason in code).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
Validations.of(app).addPlugins(new ServerlessChecks(app, { verbose: true }));
