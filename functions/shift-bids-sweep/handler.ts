/**
 * shift-bids pending-request sweep (issue 11, missed webhooks): every 5 minutes, the PENDING requests CXone
 * changed since the watermark that this system has not decided go to the workflow's queue (sweep.ts).
 */
import { sweepPendingRequests } from '../../shared/domain/shift-bids/sweep';
import { buildShiftBidsSweepDeps } from './deps';

const { runtime, deps } = buildShiftBidsSweepDeps();

export const handler = async () => {
  const summary = await sweepPendingRequests(deps);
  runtime.logger.info('pending-request sweep', {
    ...summary,
    fed: summary.fed.length,
    requests: summary.fed,
  });
  return summary;
};
