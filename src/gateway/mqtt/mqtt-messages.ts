import { meterKeyOf, type GatewayEvent, type Reading } from '../gateway-types.js';

// The JSON payloads, pure: wmbusmeters' flat telegram object (its field names, `"_":"telegram"`,
// `media`, `meter`, `name`, `id`, `rssi_dbm`, `timestamp`) followed by what only we know: how the
// reading was verified, which gateway and link heard it, and the counters a consumer dedupes by.

/** ISO 8601 UTC to the second, `2024-03-03T18:37:00Z`, as wmbusmeters writes it. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const RESERVED = new Set(['_', 'media', 'meter', 'name', 'id', 'rssi_dbm', 'timestamp', 'protocol', 'verified', 'gateway', 'link', 'access_number', 'frame_counter', 'invocation_counter']);

/**
 * The retained state of a meter. A field whose name collides with one of the envelope's keys is
 * left out (no driver emits one; the envelope must stay trustworthy).
 */
export function stateMessage(r: Reading, gatewayId: string): Record<string, unknown> {
  const msg: Record<string, unknown> = { _: 'telegram', media: r.media, meter: r.driver, name: r.meterKey, id: r.meter.id };
  for (const [k, v] of Object.entries(r.fields)) if (!RESERVED.has(k)) msg[k] = v;
  msg.rssi_dbm = r.rssiDbm;
  msg.timestamp = isoSeconds(r.receivedAt);
  msg.protocol = r.protocol;
  msg.verified = r.verified;
  msg.gateway = gatewayId;
  msg.link = r.link;
  if (r.accessNumber !== undefined) msg.access_number = r.accessNumber;
  if (r.frameCounter !== undefined) msg.frame_counter = r.frameCounter;
  if (r.invocationCounter !== undefined) msg.invocation_counter = r.invocationCounter;
  return msg;
}

/** An event: what happened, to which meter, why, and where in the telegram (byte offset, error code) when known. */
export function eventMessage(e: GatewayEvent, gatewayId: string): Record<string, unknown> {
  const msg: Record<string, unknown> = { event: e.name };
  if (e.protocol !== undefined) msg.protocol = e.protocol;
  const meterKey = eventMeterKey(e);
  if (meterKey !== undefined) msg.meter = meterKey;
  if (e.meter !== undefined) msg.id = e.meter.id;
  msg.reason = e.reason;
  if (e.code !== undefined) msg.code = e.code;
  if (e.offset !== undefined) msg.offset = e.offset;
  msg.rssi_dbm = e.rssiDbm;
  msg.timestamp = isoSeconds(e.receivedAt);
  msg.gateway = gatewayId;
  msg.link = e.link;
  return msg;
}

/** The meter an event is about, when the pipeline knew it. */
export const eventMeterKey = (e: GatewayEvent): string | undefined => e.meterKey ?? (e.meter ? meterKeyOf(e.meter) : undefined);
