import { describe, expect, it } from 'vitest';
import { decodeAare, decodeExceptionResponse, decodeGetResponse, encodeAarq, encodeGetRequestNormal, encodeInitiateRequest } from '../../drivers/dlms/apdu.js';
import { protect, unprotect, unwrapGlo, wrapGlo } from '../../drivers/dlms/cipher.js';
import { parseObis } from '../../drivers/dlms/obis.js';
import { createRng } from '../../src/lib/prng.js';
import { encodeAare, encodeInitiateResponse } from './acse.js';
import { createCosemServer, type CosemServerEvent } from './cosem-server.js';
import { createObjectModel } from './omnipower-objects.js';
import { createOmnipowerState } from './omnipower-registers.js';

// The meter's application layer alone, APDU by APDU: the AARE of the vectors byte for byte, and a
// ciphered association whose replayed request is refused with invocation-counter-error.

const serverTitle = Buffer.from('4B414D0000BC614E', 'hex');
const clientTitle = Buffer.from('4F454B5300000001', 'hex');
const keys = { ek: Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex'), ak: Buffer.from('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', 'hex') };

describe('the meter’s DLMS server', () => {
  it('writes the AARE of the vectors byte for byte (docs/protocols/dlms.md)', () => {
    const aare = encodeAare({ context: 1, result: 0, diagnostic: 0, mechanism: 0, userInformation: encodeInitiateResponse({ conformance: 0x001e1d, maxReceivePdu: 0x04c8 }) });
    expect(aare.toString('hex').toUpperCase()).toBe('6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F0400001E1D04C80007');
  });

  it('a ciphered association: glo-GET answered under the server title; the same request again is refused with invocation-counter-error', () => {
    const events: CosemServerEvent[] = [];
    const state = createOmnipowerState(9, () => new Date(0));
    let ic = 100;
    const server = createCosemServer({
      systemTitle: serverTitle,
      keys,
      authentication: 'none',
      objects: createObjectModel({ state, serial: '12345678', now: () => new Date(0) }),
      rng: createRng(1),
      nextInvocationCounter: () => (ic += 1),
      onEvent: (e) => events.push(e),
    });
    const seal = (tag: number, counter: number, plaintext: Buffer): Buffer => wrapGlo(tag, protect({ sc: 0x30, systemTitle: clientTitle, invocationCounter: counter, keys, plaintext }));
    const initiate = seal(0x21, 7, encodeInitiateRequest({ maxPdu: 0xffff, conformance: 0x001e1d }));
    const aare = decodeAare(server.handle(encodeAarq({ authentication: { mechanism: 'none' }, ciphered: true, clientSystemTitle: clientTitle, initiateRequest: initiate })) ?? Buffer.alloc(0));
    expect([aare.result, aare.serverSystemTitle?.equals(serverTitle)]).toEqual([0, true]);
    expect(events).toEqual([{ kind: 'associated', mechanism: 'none', ciphered: true }]);

    const get = seal(0xc8, 8, encodeGetRequestNormal(0xc1, { classId: 3, obis: parseObis('1-0:1.8.0.255'), attribute: 2 }));
    const answer = server.handle(get) ?? Buffer.alloc(0);
    expect(answer[0]).toBe(0xcc);
    const { invocationCounter, plaintext } = unprotect({ systemTitle: serverTitle, content: unwrapGlo(answer).content, keys });
    expect(invocationCounter).toBe(102); // 101 went to the glo-initiate-response
    expect(decodeGetResponse(plaintext)).toMatchObject({ kind: 'normal', result: { type: 'uint32', value: state.registers()[0]?.raw } });

    const replay = server.handle(get) ?? Buffer.alloc(0);
    expect(decodeExceptionResponse(replay)).toEqual({ stateError: 1, serviceError: 9, invocationCounter: 9 });
    expect(events.at(-1)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^ciphered request refused: invocation counter 8 is not above the last accepted 8/) });
  });
});
