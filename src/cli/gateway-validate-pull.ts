import type { GatewayConfig } from '../gateway/config/gateway-config.js';
import type { GatewayResult, KeySource, KeySourceStatus } from '../gateway/gateway-types.js';
import { describeLinkTarget } from '../gateway/link/link-target.js';
import { pollOnceFor, type PullLinkConfig } from '../gateway/links.js';
import { createMeterBook, type MeterView } from '../gateway/meter-book.js';
import { VALIDATE_EXIT } from './validate-exit.js';

// `openeks gateway validate` for a link the gateway asks (KMP, IEC 62056-21, DLMS): one poll,
// exactly as the running gateway makes it (links.ts pollOnceFor), and what it proved — for KMP
// "does the optical eye answer" (serial and type), for DLMS "does the key pair authenticate" (the
// association with the core's GUEK and GAK, then the GETs), for IEC 62056-21 the identification
// and the readout. docs/gateway.md "Key validation on site".

export interface PullValidateReport {
  link: string;
  protocol: PullLinkConfig['protocol'];
  target: string;
  keys: KeySourceStatus;
  /** Did the meter answer at all. */
  answered: boolean;
  /** In words: "serial 60312345, type 0x0603, 10 registers", "no answer: …". */
  detail: string;
  /** The event the poll ended in (no_answer, association_refused, no_right, …), null for a reading. */
  event: { name: string; reason: string; code?: string; offset?: number } | null;
  meters: MeterView[];
  exitCode: number;
}

/** No answer → 3; a reading → 0; an answer without the right to publish it → 0 without --config (keys not checked), else 1; any other failure → 1. */
export function pullExitCode(results: readonly GatewayResult[], withKeys: boolean): number {
  const reading = results.some((r) => r.kind === 'reading');
  if (reading) return VALIDATE_EXIT.allDecrypt;
  const event = results.find((r) => r.kind === 'event')?.event;
  if (event === undefined || event.name === 'no_answer') return VALIDATE_EXIT.nothingHeard;
  const rightOnly = event.name === 'no_right' || event.name === 'unknown_key' || event.name === 'keys_expired';
  return rightOnly && !withKeys ? VALIDATE_EXIT.allDecrypt : VALIDATE_EXIT.someDoNot;
}

export async function validatePullLink(o: { link: PullLinkConfig; keys: KeySource; withKeys: boolean; gatewayId: string }): Promise<PullValidateReport> {
  const outcome = await pollOnceFor(o.link, o.keys, o.gatewayId)();
  const book = createMeterBook({ keys: o.keys });
  for (const r of outcome.results) book.record(r, { rssiDbm: null, receivedAt: r.kind === 'reading' ? r.reading.receivedAt : r.event.receivedAt });
  const ev = outcome.results.find((r) => r.kind === 'event')?.event;
  const event = ev === undefined ? null : { name: ev.name, reason: ev.reason, ...(ev.code === undefined ? {} : { code: ev.code }), ...(ev.offset === undefined ? {} : { offset: ev.offset }) };
  return {
    link: o.link.name,
    protocol: o.link.protocol,
    target: describeLinkTarget(o.link.target),
    keys: o.keys.status(),
    answered: event?.name !== 'no_answer',
    detail: outcome.detail,
    event,
    meters: book.views(),
    exitCode: pullExitCode(outcome.results, o.withKeys),
  };
}

export function pullValidateText(r: PullValidateReport): string[] {
  const lines = [`${r.protocol} link ${r.link} on ${r.target}: ${r.answered ? 'the meter answers' : 'NO ANSWER'}`, `  ${r.detail}`];
  for (const m of r.meters) lines.push(`  meter ${m.meterKey}: key ${m.key === 'held' ? 'held (the token may read it)' : m.key === 'not-held' ? 'NOT HELD' : m.key}, ${m.lastReading === null ? 'no reading' : 'reading verified'}`);
  if (r.event !== null) lines.push(`  ${r.event.name}: ${r.event.reason}${r.event.code === undefined ? '' : ` (${r.event.code}${r.event.offset === undefined ? '' : ` at byte ${r.event.offset}`})`}`);
  lines.push(`  keys: ${r.keys.state}`);
  return lines;
}

/**
 * A DLMS push link (a HAN port): listened to for `seconds`, every push through the gateway's own
 * handler (keys by system title from the key source, the GCM tag verified). Exit 0 when a push was
 * read, 1 when pushes came but none could be (no right, wrong keys, replays), 3 when none came.
 */
export async function validatePushLink(o: { link: Extract<PullLinkConfig, { protocol: 'dlms' }>; keys: KeySource; seconds: number; log: { write(text: string): unknown } }): Promise<PullValidateReport> {
  const { listenDlmsPushes } = await import('../gateway/link/dlms-push-link.js');
  const { createDlmsPushHandler } = await import('../gateway/link/dlms-push.js');
  const handler = createDlmsPushHandler({ config: o.link, keys: o.keys });
  const book = createMeterBook({ keys: o.keys });
  const results: GatewayResult[] = [];
  const listener = listenDlmsPushes(o.link.target, {
    ...(o.link.baud === undefined ? {} : { baudRate: o.link.baud }),
    onFrame: (bytes) => {
      for (const r of handler.read(bytes, new Date())) {
        results.push(r);
        book.record(r, { rssiDbm: null, receivedAt: r.kind === 'reading' ? r.reading.receivedAt : r.event.receivedAt });
      }
    },
    onStatus: (s) => o.log.write(s.kind === 'connected' ? `# listening for pushes on ${s.link} for ${o.seconds} s\n` : `# ${s.link}: ${s.reason}; retrying in ${s.retryInMs} ms\n`),
  });
  await new Promise((resolve) => setTimeout(resolve, o.seconds * 1000));
  await listener.close();
  const readings = results.filter((r) => r.kind === 'reading').length;
  const ev = [...results].reverse().find((r) => r.kind === 'event')?.event;
  const event = readings > 0 || ev === undefined ? null : { name: ev.name, reason: ev.reason, ...(ev.code === undefined ? {} : { code: ev.code }), ...(ev.offset === undefined ? {} : { offset: ev.offset }) };
  return {
    link: o.link.name,
    protocol: 'dlms',
    target: describeLinkTarget(o.link.target),
    keys: o.keys.status(),
    answered: results.length > 0,
    detail: `${results.length} push(es) in ${o.seconds} s, ${readings} read`,
    event,
    meters: book.views(),
    exitCode: results.length === 0 ? VALIDATE_EXIT.nothingHeard : readings > 0 ? VALIDATE_EXIT.allDecrypt : VALIDATE_EXIT.someDoNot,
  };
}

/** The link of the configuration a `--configured NAME` names, or why not. */
export function configuredPullLink(config: GatewayConfig, name: string): PullLinkConfig | string {
  const link = config.links.find((l) => l.name === name);
  if (link === undefined) return `--configured: no link "${name}" in the configuration (it has ${config.links.map((l) => l.name).join(', ')})`;
  if (link.protocol === 'wmbus') return `--configured: "${name}" is a wmbus link: validate it with --link and --stick`;
  return link;
}
