// Every schema of two-factor sign-in is one the web UI reads or sends: src/shared/api/mfa.ts.
export {
  ConfirmBody, ConfirmView, DisableBody, EnrolBody, EnrolmentView, MfaStatusView, RecoveryCode, SecondFactorBody, TotpCode,
} from '../../../shared/api/mfa.js';
