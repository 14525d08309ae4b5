import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Actor } from '../../core/access/actor.js';
import { systemPrincipal } from '../../core/access/principal.js';
import type { Container } from '../../core/container.js';
import { readOutboxText } from '../../core/modules/mail/outbox-folder.js';
import type { MeterConfig } from '../../../simulators/meters/meter-types.js';
import { benchDevices, keysCsv, type PullMeters } from '../../../simulators/key-export.js';
import { MAX_SELECTED_IDS } from '../../shared/api/grants.js';
import { CliFailure } from '../cli-context.js';

// What `openeks demo` puts into its core, once per data folder, through the same services the
// CLI commands and the API call (no HTTP, no rows written by hand):
// - the demo inventory of `openeks demo seed` (a fixed seed, so every demo looks alike);
// - the bench's meter keys, imported from the CSV simulators/key-export.ts writes: the wM-Bus
//   meters' DEKs, the MULTICAL 603's DEK (KMP uses no key: the grant is what lets it be read) and
//   each DLMS meter's GUEK and GAK;
// - an operator, whose password the demo chooses and prints (friendlier than a setup link);
// - a gateway user who holds exactly the bench's meters (granted like `openeks grant`, the
//   invitation accepted with the link of its mail), and a token of kind `gateway` of that user:
//   everything its user may read, which is those meters and nothing else.
// The secrets go to files of mode 0600 in the data folder: the gateway reads its token from one
// (never from gateway.yaml), and a second run prints the same sign-in.

export const DEMO_SEED = 14;
export const DEMO_DEVICES = 200;
export const OPERATOR_EMAIL = 'operator@demo.example';
export const GATEWAY_EMAIL = 'gateway@demo.example';

export interface DemoCore {
  operatorEmail: string;
  operatorPassword: string;
  gatewayEmail: string;
  /** The file holding the gateway token (mode 0600). */
  tokenFile: string;
  /** True when this run set the core up; false when it found a finished setup. */
  created: boolean;
}

export interface DemoFiles {
  state: string;
  password: string;
  token: string;
}

export const demoFiles = (dir: string): DemoFiles => ({
  state: join(dir, 'demo.json'),
  password: join(dir, 'operator-password.txt'),
  token: join(dir, 'gateway', 'token'),
});

/**
 * A strong random password the configured policy accepts: four groups of base64url joined by
 * hyphens (a special character), drawn again in the rare case a group lacks a digit or a case.
 */
async function newPassword(c: Container, email: string, name: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const password = Array.from({ length: 4 }, () => randomBytes(5).toString('base64url').slice(0, 6)).join('-');
    if ((await c.settings.checkPassword({ password, name, email, hasSecondFactor: false })).length === 0) return password;
  }
  throw new Error('could not draw a password the password policy accepts');
}

/** The one-time token from a link's fragment (`…#token=…`). */
const fragmentToken = (link: string): string => {
  const match = /#token=([A-Za-z0-9_-]+)/.exec(link);
  if (match?.[1] === undefined) throw new Error('the one-time link carries no token');
  return match[1];
};

async function readState(files: DemoFiles): Promise<{ operatorEmail: string; gatewayEmail: string } | null> {
  let text: string;
  try {
    text = await readFile(files.state, 'utf8');
  } catch {
    return null;
  }
  const parsed = JSON.parse(text) as { operatorEmail?: unknown; gatewayEmail?: unknown };
  if (typeof parsed.operatorEmail !== 'string' || typeof parsed.gatewayEmail !== 'string') throw new CliFailure(`${files.state}: not a demo state file; remove the folder to start over`);
  return { operatorEmail: parsed.operatorEmail, gatewayEmail: parsed.gatewayEmail };
}

/** Device ids of the bench's meters (wM-Bus, KMP, DLMS), as the import stored them. */
async function meterIds(c: Container, actor: Actor, devices: ReadonlyArray<{ manufacturer: string; serial: string }>): Promise<string[]> {
  const ids: string[] = [];
  for (const m of devices) {
    const { items } = await c.devices.list({ principal: systemPrincipal, actor, query: { serial: m.serial, manufacturer: m.manufacturer, limit: 2 } });
    const id = items[0]?.id;
    if (id === undefined || items.length !== 1) throw new Error(`the imported meter ${m.manufacturer} ${m.serial} is not in the inventory`);
    ids.push(id);
  }
  return ids;
}

/** The invitation link from the newest invitation mail to `email` in the development outbox. */
async function invitationToken(c: Container, actor: Actor, email: string): Promise<string> {
  await c.mailDeliverer.deliverDue();
  const page = await c.outbox.list({ principal: systemPrincipal, actor, limit: 50 });
  const mail = page.items.find((m) => m.recipient === email && m.template === 'invitation');
  if (mail === undefined) throw new Error(`no invitation mail to ${email} in the outbox`);
  const text = await readOutboxText(c.config.outboxDir, mail.id);
  const link = text === null ? undefined : /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(text)?.[0];
  if (link === undefined) throw new Error(`the invitation mail to ${email} is not in the outbox folder ${c.config.outboxDir}`);
  return fragmentToken(link);
}

/**
 * Sets the core up on the first run; on later runs reads what the first one left. `fresh` says
 * whether the database was empty before this run (a half-finished earlier run is refused).
 */
export async function prepareDemoCore(
  c: Container,
  o: {
    dir: string;
    meters: readonly MeterConfig[];
    /** The bench's MULTICAL 603s and DLMS meters, imported and granted beside the wM-Bus meters. */
    pull?: PullMeters;
    actor: Actor;
    fresh: boolean;
    progress(line: string): void;
    /** How many demo devices to seed beside the meters (default DEMO_DEVICES; the gateway bench seeds none). */
    demoDevices?: number;
  },
): Promise<DemoCore> {
  const files = demoFiles(o.dir);
  const state = await readState(files);
  if (state !== null) {
    const operatorPassword = (await readFile(files.password, 'utf8')).trim();
    return { ...state, operatorPassword, tokenFile: files.token, created: false };
  }
  if (!o.fresh) throw new CliFailure(`${o.dir} holds a database but no finished demo (${files.state} is missing): remove the folder to start over, or give another --dir`);
  const as = { principal: systemPrincipal, actor: o.actor };

  o.progress('importing the bench keys …');
  const csv = join(o.dir, 'bench-keys.csv');
  await writeFile(csv, keysCsv(o.meters, o.pull), { mode: 0o600 });
  try {
    const started = await c.imports.start({ ...as, path: csv, fileName: 'bench-keys.csv', newVersion: false });
    const view = await c.imports.settled({ ...as, id: started.id });
    if (view.status !== 'succeeded') throw new Error(`the bench keys were not imported: ${view.problems.map((p) => p.reason).join('; ') || view.errorCode || 'unknown'}`);
  } finally {
    await rm(csv, { force: true });
  }

  const demoDevices = o.demoDevices ?? DEMO_DEVICES;
  if (demoDevices > 0) {
    o.progress(`seeding ${demoDevices} demo devices …`);
    await c.demo.seed({ ...as, devices: demoDevices, seed: DEMO_SEED });
  }

  const operatorPassword = await newPassword(c, OPERATOR_EMAIL, 'Demo operator');
  const setup = await c.operatorSetup.createOperator({ ...as, email: OPERATOR_EMAIL, language: 'en' });
  await c.operatorSetup.complete({ token: fragmentToken(setup.link), password: operatorPassword, name: 'Demo operator', actor: o.actor });

  o.progress('granting the bench meters to the gateway user …');
  const ids = await meterIds(c, o.actor, benchDevices(o.meters, o.pull));
  for (let i = 0; i < ids.length; i += MAX_SELECTED_IDS) await c.grants.assign({ ...as, selection: { ids: ids.slice(i, i + MAX_SELECTED_IDS) }, email: GATEWAY_EMAIL });
  const session = await c.registration.complete({ token: await invitationToken(c, o.actor, GATEWAY_EMAIL), password: await newPassword(c, GATEWAY_EMAIL, 'Demo gateway'), name: 'Demo gateway', actor: o.actor });
  const userActor: Actor = { ...o.actor, userId: session.principal.userId, role: 'user' };
  const { token } = await c.tokens.create({ principal: session.principal, actor: userActor, input: { name: 'demo gateway', kind: 'gateway', expiresInDays: 365 } });
  await c.sessions.signOut({ principal: session.principal, actor: userActor });
  await c.mailDeliverer.deliverDue();

  await mkdir(dirname(files.token), { recursive: true, mode: 0o700 });
  await writeFile(files.token, `${token}\n`, { mode: 0o600 });
  await writeFile(files.password, `${operatorPassword}\n`, { mode: 0o600 });
  await writeFile(files.state, `${JSON.stringify({ operatorEmail: OPERATOR_EMAIL, gatewayEmail: GATEWAY_EMAIL, createdAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  return { operatorEmail: OPERATOR_EMAIL, operatorPassword, gatewayEmail: GATEWAY_EMAIL, tokenFile: files.token, created: true };
}
