import { encodeData, encodeDateTime } from '../../drivers/dlms/axdr.js';
import { protect, wrapGeneralGlo, type SecurityKeys } from '../../drivers/dlms/cipher.js';
import { clientAddress, serverAddress } from '../../drivers/dlms/hdlc-fields.js';
import { encodeHdlcPush, type HdlcFrame } from '../../drivers/dlms/hdlc-frame.js';
import { createHdlcServer } from '../../drivers/dlms/hdlc-link.js';
import { createRng } from '../../src/lib/prng.js';
import { openPtyDevice, type PtyDevice } from '../transports.js';
import { createCosemServer, type AuthenticationName, type CosemServerEvent } from './cosem-server.js';
import { createObjectModel, pushBody } from './omnipower-objects.js';
import { createOmnipowerState, readoutValue, type OmnipowerRegister } from './omnipower-registers.js';
import { createOpticalPort, type OpticalAction } from './optical-port.js';

// An OMNIPOWER-like electricity meter on socat pseudo-terminals (simulators/transports.ts): the
// optical port (IEC 62056-21 sign-on, mode C readout, mode E into HDLC; plain HDLC without a sign-on)
// with a DLMS server (cosem-server.ts), and with `pushSeconds` a HAN port pushing general-glo-
// ciphered DataNotifications in HDLC UI frames, as a Kamstrup HAN port does. System title: `KAM` +
// the serial as 5 bytes big-endian (12345678 → 4B414D0000BC614E). One invocation counter for all
// it ciphers, growing from a seeded start.

export interface DlmsMeterOptions {
  /** 8 digits; or give `systemTitle` (then the serial is its last 5 bytes in decimal). */
  serial?: string;
  systemTitle?: Buffer;
  keys: SecurityKeys;
  authentication?: AuthenticationName;
  /** LLS password (authentication 'lls'). */
  password?: Buffer;
  /** Seconds between HAN pushes; 0 or absent: no HAN port. */
  pushSeconds?: number;
  /** The optical port answers an IEC 62056-21 sign-on (default true). */
  modeE?: boolean;
  seed?: number;
  transport: 'pty';
  /** HDLC logical/physical server address (default 1/17, as `02 23` in the vectors). */
  serverUpper?: number;
  serverLower?: number;
  /** Seconds of silence after which the optical port drops a session and waits for a sign-on (default 5). */
  inactivitySeconds?: number;
  /** Where the clock reads the time (default the system clock). */
  now?: () => Date;
  /** What the meter did: associations, refusals, GETs, pushes. */
  onEvent?(e: DlmsMeterEvent): void;
}

export type DlmsMeterEvent =
  | CosemServerEvent
  | { kind: 'push'; invocationCounter: number; bytes: number }
  | { kind: 'frame-error'; message: string }
  /** An IEC 62056-21 sign-on read on the optical port, and whether it was answered with the identification. */
  | { kind: 'sign-on'; answered: boolean };

export interface DlmsMeterHandle {
  serial: string;
  systemTitle: Buffer;
  /** The optical port: the device the host opens. */
  devicePath: string;
  /** The HAN port (with pushSeconds). */
  pushDevicePath?: string;
  /** The registers as they stand. */
  registers(): OmnipowerRegister[];
  /** The invocation counter last used. */
  invocationCounter(): number;
  /** Pushes one DataNotification on the HAN port now (tests); returns the HDLC frame written. */
  pushNow(): Buffer;
  close(): Promise<void>;
}

export function systemTitleOf(serial: string): Buffer {
  const n = Number(serial);
  if (!/^\d{1,12}$/.test(serial) || n > 0xff_ffff_ffff) throw new Error(`serial "${serial}" does not fit in 5 bytes`);
  const st = Buffer.alloc(8);
  st.write('KAM', 0, 'latin1');
  st.writeUIntBE(n, 3, 5);
  return st;
}

function checkKey(k: Buffer | undefined, name: string): Buffer {
  if (k?.length !== 16) throw new Error(`the meter's ${name} must be 16 bytes`);
  return k;
}

/** The mode C readout's data sets: the meter number, then each register in its readout unit. */
function readoutSets(serial: string, registers: readonly OmnipowerRegister[]): Array<{ id: string; value: string; unit?: string }> {
  return [{ id: '0.0.0', value: serial }, ...registers.map((r) => ({ id: r.short, ...readoutValue(r) }))];
}

export async function startDlmsMeter(o: DlmsMeterOptions): Promise<DlmsMeterHandle> {
  const systemTitle = o.systemTitle ?? systemTitleOf(o.serial ?? '');
  if (systemTitle.length !== 8) throw new Error('a system title is 8 bytes');
  const serial = o.serial ?? String(systemTitle.readUIntBE(3, 5)).padStart(8, '0');
  const keys = { ek: checkKey(o.keys.ek, 'GUEK'), ak: checkKey(o.keys.ak, 'GAK') };
  const seed = o.seed ?? Number(serial.slice(-6));
  const rng = createRng(seed ^ 0x0dc0de);
  const now = o.now ?? ((): Date => new Date());
  const state = createOmnipowerState(seed, now);
  let invocationCounter = 0x1000 + rng.int(0x10000);
  const nextInvocationCounter = (): number => (invocationCounter += 1);
  let lastStep = now().getTime();
  // Energy grows by the power over the time since the last look, whoever looks.
  const step = (): OmnipowerRegister[] => {
    const t = now().getTime();
    const seconds = Math.max(1, (t - lastStep) / 1000);
    lastStep = t;
    return state.step(seconds);
  };
  const emit = (e: DlmsMeterEvent): void => o.onEvent?.(e);
  const objects = createObjectModel({ state, serial, now });
  const cosem = createCosemServer({
    systemTitle,
    keys,
    authentication: o.authentication ?? 'hls-gmac',
    ...(o.password ? { password: o.password } : {}),
    objects,
    rng,
    nextInvocationCounter,
    onEvent: (e) => {
      if (e.kind === 'associated') step();
      emit(e);
    },
  });
  const hdlc = createHdlcServer({ serverUpper: o.serverUpper ?? 1, serverLower: o.serverLower ?? 17, maxInfo: 128 });

  const onFrame = (frame: HdlcFrame): Buffer[] => {
    let r;
    try {
      r = hdlc.receive(frame);
    } catch (err) {
      emit({ kind: 'frame-error', message: (err as Error).message });
      return [];
    }
    if (frame.control.kind === 'DISC' || frame.control.kind === 'SNRM') cosem.reset();
    const out = r.reply ? [r.reply] : [];
    if (r.apdu) {
      const answer = cosem.handle(r.apdu);
      if (answer) out.push(...hdlc.send(answer));
    }
    return out;
  };

  const optical: PtyDevice = await openPtyDevice({ baudRate: 300 });
  const port = createOpticalPort({
    identification: { manufacturer: 'KAM', baudChar: '5', modeE: true, ident: 'OMNIPOWER' },
    serial,
    signOn: o.modeE ?? true,
    readout: () => readoutSets(serial, step()),
    hdlc: onFrame,
    onGarbage: (err) => emit({ kind: 'frame-error', message: err.message }),
    onSignOn: (answered) => emit({ kind: 'sign-on', answered }),
  });
  // Writes and speed changes in order: a new speed only after what was written before it has gone,
  // as a UART must, so the meter waits the bytes' time on the line (at most 300 ms) before it
  // switches. The switch itself is only that wait: a pty has no speed, and serialport's update()
  // flushes both queues (tcflush TCIOFLUSH), which on a pty throws away what socat has not yet
  // carried across — a sign-on that came in just then, or the meter's last answer.
  let line: Promise<void> = Promise.resolve();
  let baudRate = 300;
  let sentBytes = 0;
  const perform = (actions: OpticalAction[]): void => {
    for (const a of actions) {
      line = line.then(
        () =>
          new Promise<void>((resolve) => {
            if (!optical.port.isOpen) return resolve();
            if (Buffer.isBuffer(a)) {
              sentBytes += a.length;
              optical.port.write(a, () => optical.port.drain(() => resolve()));
              return;
            }
            const onLineMs = Math.min(300, Math.max(20, (sentBytes * 10_000) / baudRate));
            sentBytes = 0;
            baudRate = a.baud;
            setTimeout(resolve, onLineMs);
          }),
      );
    }
  };
  // A host that went away without DISC leaves the port in HDLC: after a quiet spell the meter drops
  // the session (and its association) and listens for a sign-on again, as a real meter times out.
  let quiet: NodeJS.Timeout | undefined;
  const inactivityMs = Math.round((o.inactivitySeconds ?? 5) * 1000);
  optical.port.on('data', (chunk: Buffer) => {
    try {
      perform(port.push(chunk));
    } catch (err) {
      // Whatever a host sends, the meter stays up: the bytes are dropped and said so.
      emit({ kind: 'frame-error', message: (err as Error).message });
    }
    if (quiet) clearTimeout(quiet);
    quiet = setTimeout(() => {
      cosem.reset();
      perform(port.timeout());
    }, inactivityMs);
  });
  optical.port.on('error', (err: Error) => emit({ kind: 'frame-error', message: err.message }));

  let han: PtyDevice | undefined;
  let timer: NodeJS.Timeout | undefined;
  let invoke = 0;
  const pushFrame = (): Buffer => {
    const t = now();
    const registers = step();
    invoke = (invoke + 1) & 0x00ffffff;
    // DataNotification: 0F | long-invoke-id-and-priority | 0C date-time | body.
    const notification = Buffer.concat([Buffer.from([0x0f, 0x40 | (invoke >>> 24), (invoke >>> 16) & 0xff, (invoke >>> 8) & 0xff, invoke & 0xff, 0x0c]), encodeDateTime(t), encodeData(pushBody(registers, t))]);
    const ic = nextInvocationCounter();
    const apdu = wrapGeneralGlo(systemTitle, protect({ sc: 0x30, systemTitle, invocationCounter: ic, keys, plaintext: notification }));
    const frame = encodeHdlcPush(apdu, { dest: clientAddress(16), src: serverAddress(1, 17) });
    // Nobody reading the HAN port: the pty holds a few KB, then writes would queue in memory without
    // end. A push is dropped while an earlier one still waits, as a HAN port sends into the void.
    if (han?.port.isOpen && han.port.writableLength === 0) han.port.write(frame);
    emit({ kind: 'push', invocationCounter: ic, bytes: frame.length });
    return frame;
  };
  if (o.pushSeconds !== undefined && o.pushSeconds > 0) {
    try {
      han = await openPtyDevice({ baudRate: 2400 });
    } catch (err) {
      await optical.close();
      throw err;
    }
    timer = setInterval(pushFrame, Math.round(o.pushSeconds * 1000));
  }

  return {
    serial,
    systemTitle,
    devicePath: optical.devicePath,
    ...(han ? { pushDevicePath: han.devicePath } : {}),
    registers: () => state.registers(),
    invocationCounter: () => invocationCounter,
    pushNow: pushFrame,
    async close() {
      if (timer) clearInterval(timer);
      if (quiet) clearTimeout(quiet);
      // What is being written may finish; a write that never calls back must not keep socat alive.
      await Promise.race([line, new Promise((r) => setTimeout(r, 1000).unref())]);
      await optical.close();
      await han?.close();
    },
  };
}
