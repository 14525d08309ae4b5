// Checksums the stick framings use. Table-free: telegrams are short and sticks slow.

/** CRC-16/X-25 (IBM-SDLC): reflected poly 0x8408, init 0xFFFF, final XOR 0xFFFF. iM871A, iU891A. */
export function crc16X25(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= data[i] ?? 0;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return ~crc & 0xffff;
}

/** CRC-16/EN-13757: poly 0x3D65, init 0, final XOR 0xFFFF, not reflected. The wM-Bus DLL CRC. */
export function crc16En13757(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= (data[i] ?? 0) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x3d65) & 0xffff : (crc << 1) & 0xffff;
  }
  return ~crc & 0xffff;
}

/** XOR of all bytes (AMB8465 CS). */
export function xorChecksum(data: Uint8Array, start = 0, end = data.length): number {
  let cs = 0;
  for (let i = start; i < end; i++) cs ^= data[i] ?? 0;
  return cs;
}
