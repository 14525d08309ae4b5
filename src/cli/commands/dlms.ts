import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';
import type { DlmsDecodeInput } from '../dlms-decode.js';
import type { DlmsReadInput } from '../dlms-read.js';

/**
 * `openeks dlms read` and `dlms decode`: drivers and links only, no configuration and no database.
 * Keys come from --guek/--gak, --guek-file/--gak-file or OPENEKS_DLMS_GUEK/OPENEKS_DLMS_GAK
 * (../dlms-keys.ts); the work is imported inside each action (../README.md).
 */
export function registerDlmsCommand(program: Command, ctx: CliContext): void {
  const dlms = program.command('dlms').description('DLMS/COSEM meters: read one, or decode a frame or APDU (no database needed)');
  const keyOptions = (c: Command): Command =>
    c
      .option('--guek <hex>', 'the global unicast encryption key, 32 hex digits (visible in ps: prefer --guek-file or OPENEKS_DLMS_GUEK)')
      .option('--gak <hex>', 'the authentication key, 32 hex digits (visible in ps: prefer --gak-file or OPENEKS_DLMS_GAK)')
      .option('--guek-file <file>', 'a file holding the GUEK in hex')
      .option('--gak-file <file>', 'a file holding the GAK in hex');
  keyOptions(
    dlms
      .command('read')
      .description("associate with a meter, read its clock and registers, release")
      .requiredOption('--link <device|tcp://host:port>', 'the serial device (optical head, RS-485) or TCP socket')
      .option('--mode-e', 'sign on through the optical eye first (IEC 62056-21 mode E at 300 baud, then HDLC)')
      .option('--auth <mechanism>', 'none, lls or hls-gmac (default: hls-gmac with keys, none without)')
      .option('--security <level>', 'none or authenticated-encrypted (default: authenticated-encrypted with keys)')
      .option('--password <text>', 'the LLS password (visible in ps: prefer --password-file)')
      .option('--password-file <file>', 'a file holding the LLS password (one line)')
      .option('--client <n>', 'client address: 16 public, 1 management, 32 … (default: 16 without authentication, 1 with)')
      .option('--server <logical/physical>', 'server address (default 1/17)')
      .option('--system-title <hex>', 'our client system title, 16 hex digits (default 4F454B0000000001)')
      .option('--invocation-counter <n>', 'our first invocation counter (default: 8 per second since 2024, so each read starts above the last; a meter refuses a counter not above the last it accepted)')
      .option('--obis <list>', 'OBIS codes to read, comma-separated (default 1.8.0,2.8.0,1.7.0,2.7.0)')
      .option('--baud <n>', 'serial speed; with --mode-e the highest speed to ask for (default 9600)')
      .option('--timeout <ms>', 'how long to wait for each answer (default 3000)')
      .option('--json', 'print one JSON object'),
  ).action(async (opts: DlmsReadInput) => {
    const { dlmsRead } = await import('../dlms-read.js');
    for (const line of await dlmsRead(opts, ctx.env ?? {})) print(ctx, line);
  });
  keyOptions(
    dlms
      .command('decode')
      .description('decode an HDLC frame or a bare APDU; ciphered ones are verified and decrypted (exit 1 when the tag does not verify)')
      .argument('<hex>', 'the frame (7E … 7E) or the APDU in hex')
      .option('--system-title <hex>', "the sender's system title, for service-specific glo APDUs (C8 … CF), which do not carry it")
      .option('--json', 'print one JSON object'),
  ).action(async (hex: string, opts: Omit<DlmsDecodeInput, 'hex'>) => {
    const { dlmsDecode } = await import('../dlms-decode.js');
    for (const line of dlmsDecode({ ...opts, hex }, ctx.env ?? {})) print(ctx, line);
  });
}
