// zod/mini: the processor parses these settings at every cold start (classic zod would add ~400 KB to its bundle).
import { _default, gte, int, lte, object, record, refine, url } from 'zod/mini';
import type { z } from 'zod/mini';
import { Id, Text } from '../../contracts/common';
import { isValidTimeZone } from '../../domain/time/local-days';

const TimeZone = Text.check(refine(isValidTimeZone, 'must be an IANA time zone such as America/New_York'));

/** Stage settings of the shift-bids workflow (spec 003). */
export const ShiftBidsSettingsSchema = object({
  /**
   * Site id -> IANA time zone. CXone gives shifts as local dates and times of their site; a site not listed
   * cannot be checked, so its bids escalate.
   */
  siteTimeZones: record(Id, TimeZone),
  /** Spec 003 section 3's `metadata.approved_by`: the service identity acting on CXone. */
  serviceIdentity: _default(Text, 'wfm-auto-engine'),
  /** Where a supervisor opens a bidding request in the WFM UI; the request id is appended. */
  supervisorLinkBase: _default(url(), 'https://wfm.example.com/bidding/requests/'),
  /** Spec 003 edge case 2: wait this long between polls of the schedule locks after a 423. */
  lockPollSeconds: _default(int().check(gte(1), lte(60)), 15),
  /** A bid that finds its shift claimed by another bid tries again after about this long (jittered). */
  claimRetrySeconds: _default(int().check(gte(1), lte(60)), 2),
});
export type ShiftBidsSettings = z.output<typeof ShiftBidsSettingsSchema>;
export type ShiftBidsSettingsInput = z.input<typeof ShiftBidsSettingsSchema>;
