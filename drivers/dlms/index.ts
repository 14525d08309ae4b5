// Public API of the DLMS/COSEM driver: HDLC (IEC 62056-46) framing and connection state.
export { DLMS_ERROR_CODES, DlmsError, isDlmsError, type DlmsErrorCode, type DlmsOffsetIn } from './errors.js';
export * from './hdlc.js';
export {
  createHdlcClient, createHdlcServer,
  type HdlcClient, type HdlcClientOptions, type HdlcLinkState, type HdlcServer, type HdlcServerOptions,
} from './hdlc-link.js';
