import { isDlmsError } from '../../../drivers/dlms/errors.js';
import { isIecError } from '../../../drivers/iec62056-21/errors.js';
import { isKmpError } from '../../../drivers/kmp/errors.js';
import type { GatewayEventName, GatewayResult } from '../gateway-types.js';
import { pulledEvent } from '../pulled-readings.js';

// Why a poll failed, as the event the gateway publishes (docs/gateway.md "Polling", the event
// names of docs/mqtt.md "Events"): the drivers' typed errors carry a code and a byte offset, which
// go into the event as they are; anything else (a port that does not open, a socket refused) is a
// meter that did not answer. The message is the driver's, which never holds a key.

export interface FailureContext {
  protocol: 'kmp' | 'iec62056-21' | 'dlms';
  link: string;
  receivedAt: Date;
  /** The meter, when the link knows it (the configured DLMS meter, the serial of the last KMP answer). */
  meter?: { manufacturer: string; serial: string; deviceType: number };
}

function nameOfDlms(code: string): GatewayEventName {
  switch (code) {
    case 'no-answer':
      return 'no_answer';
    case 'tag-mismatch':
      return 'decrypt_failed';
    case 'counter-replay':
      return 'counter_replay';
    case 'no-key':
      return 'unknown_key';
    case 'refused':
      return 'association_refused';
    default:
      return 'bad_answer';
  }
}

export function failureOf(err: unknown, ctx: FailureContext): { result: GatewayResult; detail: string } {
  let name: GatewayEventName = 'no_answer';
  let code: string | undefined;
  let offset: number | undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (isKmpError(err)) {
    name = err.code === 'no-answer' ? 'no_answer' : err.code === 'unexpected-response' ? 'unexpected_answer' : 'bad_answer';
    code = err.code;
    offset = err.offset;
  } else if (isIecError(err)) {
    name = 'bad_answer';
    code = err.code;
    offset = err.offset;
  } else if (isDlmsError(err)) {
    name = nameOfDlms(err.code);
    code = err.code;
    offset = err.offset;
  } else if ((err as { code?: unknown } | null)?.code === 'no-answer') {
    // The IEC session's silence (iec-session.ts IecNoAnswerError): the driver has no code for it.
    code = 'no-answer';
  }
  const reason = name === 'no_answer' && code === undefined ? `the meter could not be reached: ${message}` : message;
  const result = pulledEvent({
    protocol: ctx.protocol,
    name,
    reason,
    link: ctx.link,
    receivedAt: ctx.receivedAt,
    ...(ctx.meter === undefined ? {} : { meter: ctx.meter }),
    ...(code === undefined ? {} : { code: code as NonNullable<Parameters<typeof pulledEvent>[0]['code']> }),
    ...(offset === undefined || code === 'no-answer' ? {} : { offset }),
  });
  return { result, detail: `${name.replaceAll('_', ' ')}: ${reason}` };
}
