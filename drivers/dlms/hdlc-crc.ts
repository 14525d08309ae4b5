// CRC-16/X-25 (IEC 62056-46 HCS and FCS): reflected polynomial 0x1021 (0x8408), initial value
// 0xFFFF, final XOR 0xFFFF; sent little-endian. Check value over "123456789": 0x906E.

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i;
    for (let j = 0; j < 8; j++) r = r & 1 ? (r >>> 1) ^ 0x8408 : r >>> 1;
    t[i] = r;
  }
  return t;
})();

export function crc16X25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc = (crc >>> 8) ^ (TABLE[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  }
  return (crc ^ 0xffff) & 0xffff;
}
