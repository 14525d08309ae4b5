// Receiver-stick codecs: framing only, bytes in and typed events out (see README.md).
import { amb8465 } from './amb8465.js';
import { cul } from './cul.js';
import { im871a } from './im871a.js';
import { iu891a } from './iu891a.js';
import { rtlwmbus } from './rtlwmbus.js';
import type { StickCodec, StickName } from './stick-types.js';

export const stickCodecs: Readonly<Record<StickName, StickCodec>> = { im871a, iu891a, amb8465, cul, rtlwmbus };

export * from './stick-types.js';
export { crc16X25, crc16En13757, xorChecksum } from './crc.js';
export { slipEncode, slipUnescape } from './slip.js';
export { addFormatA, addFormatB, stripFormatA, stripFormatB } from './dll-crc.js';
export { createIm871aCodec, encodeIm871aFrame, im871aRssiToDbm, im871aDbmToRssi } from './im871a.js';
export { createIu891aCodec, encodeIu891aMessage } from './iu891a.js';
export { createAmb8465Codec, encodeAmb8465Frame, amb8465RssiToDbm, amb8465DbmToRssi } from './amb8465.js';
export { createCulCodec, culRssiToDbm, culDbmToRssi } from './cul.js';
export { createRtlWmbusCodec, encodeRtlWmbusLine } from './rtlwmbus.js';
