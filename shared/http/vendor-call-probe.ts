/**
 * A test-only seam at the vendor boundary: the local runtime's crash switch (docs/local-runtime.md, "Crash
 * points") kills a function instance just before a vendor call is sent or just after its answer arrives.
 *
 * Nothing in the deployed code installs a probe: only local/function-worker.cjs sets the process-wide
 * `VENDOR_CALL_PROBE` symbol, and only for an invocation the switch armed (test/unit/http/vendor-call-probe.test.ts
 * holds that). Without it, `probeVendorCall` is a property lookup and nothing else.
 */
export type VendorCallPhase = 'before-call' | 'after-answer';

export interface VendorCallProbeInfo {
  readonly vendor: string;
  readonly method: string;
  readonly path: string;
  /** The HTTP status of the answer (`after-answer` only). */
  readonly status?: number;
}

export type VendorCallProbe = (phase: VendorCallPhase, info: VendorCallProbeInfo) => void;

/** `Symbol.for`, so the worker script (plain CommonJS, outside the bundle) reaches the same slot. */
export const VENDOR_CALL_PROBE = Symbol.for('wfm-bridge.local.vendor-call-probe');

export function probeVendorCall(phase: VendorCallPhase, info: VendorCallProbeInfo): void {
  const probe = (globalThis as { [VENDOR_CALL_PROBE]?: VendorCallProbe })[VENDOR_CALL_PROBE];
  probe?.(phase, info);
}
