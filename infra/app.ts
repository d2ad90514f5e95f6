#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';

const app = new App();
buildApp(String(app.node.tryGetContext('stage') ?? 'dev'), app);
