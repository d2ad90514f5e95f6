import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../../shared/config/stage';

export interface WfmBridgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Built from shared/topology.ts: one set of resources per workflow. */
export class WfmBridgeStack extends Stack {
  constructor(scope: Construct, id: string, props: WfmBridgeStackProps) {
    super(scope, id, props);
  }
}
