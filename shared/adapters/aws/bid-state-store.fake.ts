/** In-memory bid state store with the DynamoDB store's conditions. */
import {
  afterTransition,
  assertTransition,
  BidStateConflict,
  newBidRecord,
  type AdmitOutcome,
  type BidChanges,
  type BidRecord,
  type BidStateStore,
} from '../../domain/shift-bids/bid-state';
import type { CanonicalBid } from '../../domain/shift-bids/canonical-bid';
import { isStaleEvent, type BidState } from '../../domain/shift-bids/lifecycle';
import { ScriptedWriteFaults } from './dynamodb-faults.fake';

export class InMemoryBidStateStore implements BidStateStore {
  readonly records = new Map<string, BidRecord>();
  /** DynamoDB faults on the next writes (admit and transition). */
  readonly writeFaults = new ScriptedWriteFaults();
  /** `<shiftId>#<date>` to the request CXone approved for it. */
  readonly awards = new Map<string, string>();

  async get(requestId: string): Promise<BidRecord | undefined> {
    return this.records.get(requestId);
  }

  async admit(bid: CanonicalBid, at: string): Promise<AdmitOutcome> {
    return this.writeFaults.write(() => this.admitNow(bid, at));
  }

  private admitNow(bid: CanonicalBid, at: string): AdmitOutcome {
    const current = this.records.get(bid.cxoneRequestId);
    if (!current) {
      const record = newBidRecord(bid, at);
      this.records.set(bid.cxoneRequestId, record);
      return { kind: 'new', record };
    }
    if (isStaleEvent(bid.cxoneEventTimestamp, current.lastEventAt)) return { kind: 'stale', record: current };
    const record: BidRecord = {
      ...current,
      lastEventAt: bid.cxoneEventTimestamp,
      updatedAt: at,
      ...(bid.cxoneStatus !== null && { cxoneStatus: bid.cxoneStatus }),
    };
    this.records.set(bid.cxoneRequestId, record);
    return { kind: 'admitted', record };
  }

  async transition(
    requestId: string,
    from: BidState,
    to: BidState,
    changes: BidChanges,
    at: string,
  ): Promise<BidRecord> {
    assertTransition(requestId, from, to);
    const current = this.records.get(requestId);
    if (current?.status !== from) throw new BidStateConflict(requestId, from);
    const record = afterTransition(current, to, changes, at);
    return this.writeFaults.write(() => {
      this.records.set(requestId, record);
      return record;
    });
  }

  async recordAward(shiftId: string, date: string, requestId: string): Promise<void> {
    this.awards.set(`${shiftId}#${date}`, requestId);
  }

  async awardOf(shiftId: string, date: string): Promise<string | undefined> {
    return this.awards.get(`${shiftId}#${date}`);
  }
}
