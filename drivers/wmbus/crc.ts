// EN 13757-4 CRC-16: polynomial 0x3D65, initial value 0, final XOR 0xFFFF, MSB first, no reflection.

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 8;
    for (let j = 0; j < 8; j++) r = r & 0x8000 ? ((r << 1) ^ 0x3d65) & 0xffff : (r << 1) & 0xffff;
    t[i] = r;
  }
  return t;
})();

export function crc16En13757(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ (data[i] ?? 0)) & 0xff] ?? 0);
  }
  return crc ^ 0xffff;
}
