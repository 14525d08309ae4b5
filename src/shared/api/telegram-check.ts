import * as Type from '@sinclair/typebox';

// The telegram check (docs/inventory.md "Telegram check"): the body the web UI sends and the
// answer it shows.

export const telegramOutcomes = ['decrypts', 'does-not-decrypt', 'reversed-key', 'no-device', 'no-key', 'not-encrypted', 'not-a-telegram'] as const;
export type TelegramOutcome = (typeof telegramOutcomes)[number];

export const TelegramCheckBody = Type.Object(
  {
    // 512 bytes are 1,024 hex digits; the rest of the bound leaves room for separators. The exact
    // rules (whole bytes, at most 512) are ../telegrams/telegram-hex.ts, so every reader agrees.
    telegram: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: "The telegram in hex, L-field first; whitespace, ':', and wmbusmeters' '_' and '|' allowed between the digits; link-layer CRCs present (format A or B) or removed",
    }),
  },
  { additionalProperties: false },
);

export const TelegramAddress = Type.Object(
  {
    manufacturer: Type.String({ description: 'M-field as 3 letters' }),
    id: Type.String({ description: 'the 8 digits printed on the meter' }),
    version: Type.Integer(),
    deviceType: Type.Integer(),
  },
  { description: "The address the key belongs to: the transport layer's long header where present, else the link layer's" },
);

export const TelegramCheckView = Type.Object({
  outcome: Type.Union(telegramOutcomes.map((o) => Type.Literal(o))),
  address: Type.Optional(TelegramAddress),
  device: Type.Optional(Type.Object({ id: Type.String(), manufacturer: Type.String(), serial: Type.String(), model: Type.Union([Type.String(), Type.Null()]) })),
  keyVersion: Type.Optional(Type.Integer({ description: 'the version of the active DEK that was tried' })),
  reading: Type.Optional(
    Type.Object(
      { driver: Type.String(), fields: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Null()])) },
      { description: 'The decoded values (wmbusmeters field names); absent when they cannot be decoded, with `reason` saying why' },
    ),
  ),
  reason: Type.Optional(Type.String({ description: "not-a-telegram: the driver's error code; with a decrypted telegram and no reading: why ('needs-full-frame', 'bad-record', …)" })),
  offset: Type.Optional(Type.Integer({ description: 'the byte the problem was found at (in the telegram without link-layer CRCs)' })),
});

export type TelegramCheckResult = Type.Static<typeof TelegramCheckView>;
